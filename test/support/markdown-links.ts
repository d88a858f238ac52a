import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { Lexer, type Token, type Tokens } from 'marked';

/** One relative link of a Markdown file that does not resolve, as `file: target (why)`. */
export type BrokenLink = string;

/** README.md and every Markdown file under docs/, as paths relative to `root`. */
export function documentationFiles(root: string): string[] {
  const docs = join(root, 'docs');
  const under = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))
    : [];
  return ['README.md', ...under.map((f) => join('docs', f))];
}

/**
 * Every relative link and anchor in `files` that does not resolve: the target file (or
 * folder) must exist under `root`, and a `#fragment` must be a heading slug of the target
 * Markdown file, made as GitHub makes them (lower case, punctuation dropped, `-1` for repeats).
 */
export function brokenLinks(root: string, files: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    for (const href of links(readFileSync(join(root, file), 'utf8'))) {
      const why = checkLink(root, file, href);
      if (why) broken.push(`${file}: ${href} (${why})`);
    }
  }
  return broken;
}

function checkLink(root: string, file: string, href: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return undefined; // absolute URL
  const [pathPart = '', fragment] = href.split('#', 2);
  const target = pathPart ? resolve(root, dirname(file), decodeURI(pathPart)) : join(root, file);
  if (!target.startsWith(resolve(root))) return 'outside the repository';
  if (!existsSync(target)) return `no file ${relative(root, target)}`;
  if (fragment === undefined || !target.endsWith('.md') || statSync(target).isDirectory()) {
    return undefined;
  }
  return headingSlugs(readFileSync(target, 'utf8')).has(decodeURIComponent(fragment))
    ? undefined
    : `no heading #${fragment} in ${relative(root, target)}`;
}

/** The hrefs of every link and image in a Markdown text, code blocks and code spans excluded. */
export function links(markdown: string): string[] {
  return walk(new Lexer().lex(markdown))
    .filter((t): t is Tokens.Link | Tokens.Image => t.type === 'link' || t.type === 'image')
    .map((t) => t.href);
}

/** The GitHub anchors of a Markdown text's headings. */
export function headingSlugs(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  return new Set(
    walk(new Lexer().lex(markdown))
      .filter((t): t is Tokens.Heading => t.type === 'heading')
      .map((t) => slugger.slug(plainText(t.tokens))),
  );
}

// GitHub slugs the rendered text of a heading: `code` and [link](x) count by their text only.
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => ('tokens' in t && t.tokens ? plainText(t.tokens) : 'text' in t ? t.text : ''))
    .join('');
}

function walk(tokens: readonly Token[]): Token[] {
  return tokens.flatMap((token) => [token, ...walk(children(token))]);
}

function children(token: Token): Token[] {
  const nested: Token[] = [...(('tokens' in token && token.tokens) || [])];
  if (token.type === 'list') for (const item of (token as Tokens.List).items) nested.push(item);
  if (token.type === 'table') {
    const table = token as Tokens.Table;
    for (const cell of [...table.header, ...table.rows.flat()]) nested.push(...cell.tokens);
  }
  return nested;
}
