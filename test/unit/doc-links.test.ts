import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/bundling.js';
import { brokenLinks, documentationFiles, headingSlugs } from '../support/markdown-links.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'doc-links-'));
  mkdirSync(join(dir, 'docs'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
}

it('finds every relative link and anchor in README.md and docs/ resolving', () => {
  const files = documentationFiles(PROJECT_ROOT);

  expect(files).toContain('README.md');
  expect(files.length).toBeGreaterThan(1);
  expect(brokenLinks(PROJECT_ROOT, files)).toEqual([]);
});

it('reports a link to a missing file and an anchor that is no heading', () => {
  write({
    'README.md': '# Top\n\nSee [setup](docs/setup.md), [a](docs/a.md#nowhere) and [b](#top).\n',
    'docs/a.md': '# A\n\n[back](../README.md#no-such-part)\n',
  });

  expect(brokenLinks(dir, documentationFiles(dir))).toEqual([
    'README.md: docs/setup.md (no file docs/setup.md)',
    'README.md: docs/a.md#nowhere (no heading #nowhere in docs/a.md)',
    'docs/a.md: ../README.md#no-such-part (no heading #no-such-part in README.md)',
  ]);
});

it('ignores links inside code blocks and code spans, and absolute URLs', () => {
  write({
    'README.md': '```\n[x](missing.md)\n```\n\n`[y](missing.md)` [z](https://example.com/a.md)\n',
  });

  expect(brokenLinks(dir, ['README.md'])).toEqual([]);
});

it('checks links in tables and lists too', () => {
  write({ 'README.md': '| a |\n| - |\n| [t](t.md) |\n\n- [l](l.md)\n' });

  expect(brokenLinks(dir, ['README.md'])).toEqual([
    'README.md: t.md (no file t.md)',
    'README.md: l.md (no file l.md)',
  ]);
});

it('slugs headings as GitHub does: code by its text, punctuation dropped, repeats numbered', () => {
  const slugs = headingSlugs(
    '# Set-up\n## `npm run call`\n## Testing with a real Telnyx number, before deploying\n## Set-up\n',
  );

  expect([...slugs]).toEqual([
    'set-up',
    'npm-run-call',
    'testing-with-a-real-telnyx-number-before-deploying',
    'set-up-1',
  ]);
});
