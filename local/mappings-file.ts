import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

/**
 * Reads mappings for `import` from a JSON file (an array of `{number, tenant}`, or an object
 * with `mappings`) or a CSV file (`number,tenant` per line, an optional header, `#` comments).
 * Only the file's shape is checked here; the admin command validates every entry.
 */
export async function readMappingsFile(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  return extname(path).toLowerCase() === '.json' ? fromJson(path, text) : fromCsv(path, text);
}

function fromJson(path: string, text: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(data) ? data : (data as { mappings?: unknown } | null)?.mappings;
  if (!Array.isArray(list)) throw new Error(`${path}: expected an array of {"number","tenant"}`);
  return list;
}

function fromCsv(path: string, text: string): unknown[] {
  const rows = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, cells: line.split(',').map((c) => c.trim()) }))
    .filter(({ cells }) => cells.join('') !== '' && !cells[0]?.startsWith('#'));
  const [first] = rows;
  if (first && first.cells[0]?.toLowerCase() === 'number') rows.shift();
  return rows.map(({ line, cells }) => {
    if (cells.length !== 2) throw new Error(`${path}:${line}: expected "number,tenant"`);
    return { number: cells[0], tenant: cells[1] };
  });
}
