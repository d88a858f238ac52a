import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from '../lib/bundling.js';

/** The value imports of packages (not relative, not type-only) in one project source file. */
function packageImportLines(file: string, alias: () => string): string[] {
  const text = readFileSync(file, 'utf8');
  // Parent pointers on: `namespaceMembers` looks at each identifier's parent.
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    const clause = statement.importClause;
    if (specifier.startsWith('.') || specifier.startsWith('node:') || clause?.isTypeOnly) continue;
    const parts: string[] = [];
    if (clause?.name) parts.push(alias());
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) {
      // `ns.member` uses only those members (esbuild tree-shakes the rest): import them.
      const members = namespaceMembers(source, bindings.name.text);
      if (members === 'whole') parts.push(`* as ${alias()}`);
      else if (members.size > 0) {
        parts.push(`{ ${[...members].map((member) => `${member} as ${alias()}`).join(', ')} }`);
      }
    }
    if (bindings && ts.isNamedImports(bindings)) {
      const named = bindings.elements
        .filter((element) => !element.isTypeOnly)
        .map((element) => `${(element.propertyName ?? element.name).text} as ${alias()}`);
      if (named.length > 0) parts.push(`{ ${named.join(', ')} }`);
    }
    if (clause && parts.length === 0) continue; // only types were imported
    const from = JSON.stringify(specifier);
    lines.push(parts.length > 0 ? `import ${parts.join(', ')} from ${from};` : `import ${from};`);
  }
  return lines;
}

/** The members read from namespace `ns` in `source`, or 'whole' if it is used as a value. */
function namespaceMembers(source: ts.SourceFile, ns: string): Set<string> | 'whole' {
  const members = new Set<string>();
  let whole = false;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      if (node.expression.text === ns) {
        members.add(node.name.text);
        return;
      }
    } else if (ts.isIdentifier(node) && node.text === ns && !ts.isNamespaceImport(node.parent)) {
      // Type positions (`z.infer<...>` is a qualified name, not an access) do not count.
      if (!ts.isQualifiedName(node.parent) && !ts.isTypeQueryNode(node.parent)) whole = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return whole ? 'whole' : members;
}

/**
 * A module importing what our code imports from packages, the same names from the same
 * specifiers, read from `projectFiles` (the project sources with code in a bundle's start-up
 * path), and keeping every binding alive. Bundled like a function, its cold import is the
 * third-party floor: loading those packages before any code or init of ours runs.
 */
export function thirdPartyFloorSource(projectFiles: readonly string[]): string {
  const kept: string[] = [];
  const alias = () => {
    const name = `p${kept.length}`;
    kept.push(name);
    return name;
  };
  const lines = projectFiles.flatMap((file) => packageImportLines(join(PROJECT_ROOT, file), alias));
  return [
    ...lines,
    `globalThis.__thirdPartyFloor = [${kept.join(', ')}];`,
    'export const handler = async () => ({});',
  ].join('\n');
}
