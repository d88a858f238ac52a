import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildSync, type Metafile } from 'esbuild';
import ts from 'typescript';
import {
  BUNDLE_OPTIONS,
  buildFunction,
  FUNCTION_ENTRIES,
  type FunctionName,
  functionBuildOptions,
  PROJECT_ROOT,
} from '../lib/bundling.js';
import { type BenchEnvironment, progress } from './environment.js';
import { atMost, type Row, row, type Section } from './report.js';
import { fmt, fmtSummary, type Summary, summarize } from './stats.js';
import { thirdPartyFloorSource } from './third-party-floor.js';

const RUNS = 15;
const execFileAsync = promisify(execFile);

interface Bundle {
  readonly file: string;
  readonly metafile: Metafile;
  /** Extra environment for the process that imports it (the runtime flags it was run with). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A handler module from `contents` (imports from `resolveDir`), bundled as the functions are. */
function buildModule(outRoot: string, name: string, contents: string, resolveDir = PROJECT_ROOT) {
  const outdir = join(outRoot, 'functions', name);
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    stdin: { contents, loader: 'ts', resolveDir, sourcefile: 'index.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    entryNames: 'index',
    // As buildFunction does: code reached only by import() stays out of the start-up path.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  return { file: join(outdir, 'index.mjs'), metafile: result.metafile };
}

const ENTRY_MARK = '__handlerInitStart';

/**
 * `entry`'s source with `globalThis.${ENTRY_MARK} = performance.now()` after its import
 * declarations: ES imports evaluate first, so the mark splits a cold import into loading the
 * modules (third-party and our shared modules: parse, compile, evaluate) and the handler's own
 * init (config, clients, top-level await).
 */
function markedSource(entry: string): string {
  const source = readFileSync(entry, 'utf8');
  const file = ts.createSourceFile(entry, source, ts.ScriptTarget.Latest);
  const at = file.statements.filter(ts.isImportDeclaration).at(-1)?.end ?? 0;
  const mark = `\n(globalThis as Record<string, unknown>).${ENTRY_MARK} = performance.now();\n`;
  return source.slice(0, at) + mark + source.slice(at);
}

/**
 * The function's current code built and run as the functions were before this benchmark's
 * last changes: identifiers minified, `node:http` by ES import (Node's facade for it loads
 * undici), and NODE_OPTIONS=--enable-source-maps (Node loads the maps at start). Measured
 * beside the current bundle, so the report shows what those changes bought.
 */
function buildBefore(name: FunctionName, outRoot: string): Bundle {
  const options = functionBuildOptions(name, join(outRoot, 'before'));
  const { metafile } = buildSync({ ...options, minify: true, alias: {} });
  const env = { NODE_OPTIONS: '--enable-source-maps' };
  return { file: join(options.outdir, 'index.mjs'), metafile, env };
}

/** One cold import, in ms: `await import` in the child, up to the init mark, spawn to exit. */
type ColdImport = { importMs: number; loadMs: number; processMs: number };

/**
 * One fresh `node` process importing `file`: the import time it reports (performance.now()
 * around `await import`, and up to the init mark) and the whole process time seen from here.
 */
async function coldImport(
  file: string,
  env: Readonly<Record<string, string>>,
): Promise<ColdImport> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t) + ' ' + String((globalThis.${ENTRY_MARK} ?? NaN) - t)); process.exit(0);`;
  const start = process.hrtime.bigint();
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...env },
  });
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  const [importMs, loadMs] = stdout.split(' ').map(Number) as [number, number];
  if (!Number.isFinite(importMs)) throw new Error(`import of ${file} printed ${stdout}`);
  return { importMs, processMs, loadMs };
}

/**
 * The outputs a cold start loads: the entry and every chunk it imports statically, followed
 * transitively. Chunks reached only by `import()` load later, when their code path runs.
 */
function loadedAtStart(metafile: Metafile): Array<Metafile['outputs'][string]> {
  const outputs = metafile.outputs;
  // Dynamic-import chunks are entry points too; the function's own entry is index.mjs.
  const entry = Object.keys(outputs).find((path) => /(^|\/)index\.mjs$/.test(path));
  const seen = new Set<string>();
  const queue = entry ? [entry] : [];
  while (queue.length > 0) {
    const path = queue.pop() as string;
    if (seen.has(path) || !outputs[path]) continue;
    seen.add(path);
    for (const imported of outputs[path].imports) {
      if (imported.kind === 'import-statement' && !imported.external) queue.push(imported.path);
    }
  }
  return [...seen].map((path) => outputs[path] as Metafile['outputs'][string]);
}

/** Each input's bytes in the outputs a cold start loads. */
function inputsAtStart(metafile: Metafile): Array<readonly [path: string, bytes: number]> {
  return loadedAtStart(metafile).flatMap((output) =>
    Object.entries(output.inputs).map(([path, input]) => [path, input.bytesInOutput] as const),
  );
}

/** The project sources with code in the start-up path (tree-shaken-away files excluded). */
function projectFilesAtStart(metafile: Metafile): string[] {
  const ours = inputsAtStart(metafile).filter(
    ([path, bytes]) => bytes > 0 && !path.includes('node_modules') && path.endsWith('.ts'),
  );
  return [...new Set(ours.map(([path]) => path))];
}

/** Bytes of code a cold start loads (entry plus its static chunks). */
function startupBytes(metafile: Metafile): number {
  return loadedAtStart(metafile).reduce((sum, output) => sum + output.bytes, 0);
}

const kb = (bytes: number) => `${fmt(bytes / 1024)} KB`;

/** The biggest inputs loaded at cold start, by package (or project folder). */
function contributors(metafile: Metafile, top = 6): string {
  const byOwner = new Map<string, number>();
  for (const [path, bytes] of inputsAtStart(metafile)) {
    const owner =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/')[0] ?? path;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + bytes);
  }
  return [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([owner, bytes]) => `\`${owner}\` ${kb(bytes)}`)
    .join(', ');
}

/** Cold start: bundle size and cold import time of each function against an empty module. */
export async function measureColdStart(env: BenchEnvironment): Promise<Section> {
  const outRoot = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    progress('cold-start: building bundles');
    const functions = (['ingest', 'worker'] as const).map((name) => {
      const entry = join(PROJECT_ROOT, FUNCTION_ENTRIES[name]);
      const { outDir, metafile } = buildFunction(name, outRoot);
      const floor = thirdPartyFloorSource(projectFilesAtStart(metafile));
      return {
        name,
        bundle: { file: join(outDir, 'index.mjs'), metafile },
        marked: buildModule(outRoot, `${name}-marked`, markedSource(entry), dirname(entry)),
        before: buildBefore(name, outRoot),
        packages: buildModule(outRoot, `${name}-packages`, floor),
      };
    });
    // The floor of any cold start: an empty handler bundled with the same options.
    const empty = buildModule(outRoot, 'empty', 'export const handler = async () => ({});');
    const bundles: Bundle[] = [
      empty,
      ...functions.flatMap((fn) => [fn.bundle, fn.marked, fn.before, fn.packages]),
    ];
    const runs = new Map(bundles.map((bundle) => [bundle, [] as ColdImport[]]));
    progress(`cold-start: ${RUNS} fresh node processes per bundle`);
    for (let run = 0; run < RUNS + 1; run += 1) {
      for (const bundle of bundles) {
        const times = await coldImport(bundle.file, { ...env.env, ...bundle.env });
        if (run > 0) runs.get(bundle)?.push(times); // the first round warms the OS file cache
      }
    }
    const timeOf = (bundle: Bundle, time: (run: ColdImport) => number = (run) => run.importMs) =>
      summarize(runs.get(bundle)?.map(time) ?? []);
    const emptyImport = timeOf(empty);
    const emptyProcess = timeOf(empty, (run) => run.processMs);
    const emptySize = startupBytes(empty.metafile);
    const rows: Row[] = [];
    const notes: string[] = [];
    for (const { name, bundle, marked, before, packages } of functions) {
      // A row for `time` against the empty module's; `limit` is a goal on the ratio.
      const vsEmpty = (what: string, time: Summary, limit?: number, empty = emptyImport) => {
        const figure = `${name} ${what}`;
        const ratio = time.median / empty.median;
        const measured = fmtSummary(time, ' ms');
        const baseline = `empty ${fmtSummary(empty, ' ms')}`;
        return row(figure, measured, baseline, `${fmt(ratio)}x`, ...atMost(ratio, limit));
      };
      const size = startupBytes(bundle.metafile);
      const load = timeOf(marked, (run) => run.loadMs);
      const packagesImport = timeOf(packages);
      const init = timeOf(marked, (run) => run.importMs - run.loadMs);
      const whole = timeOf(bundle, (run) => run.processMs);
      rows.push(
        row(
          `${name} code loaded at cold start (entry + static chunks)`,
          kb(size),
          `empty ${kb(emptySize)}`,
          `${fmt(size / emptySize)}x`,
        ),
        vsEmpty("floor: loading the modules before the handler's init runs (in-process)", load),
        {
          ...vsEmpty(
            'third-party floor: the same package imports alone, no code of ours (in-process)',
            packagesImport,
          ),
          measured: `${fmtSummary(packagesImport, ' ms')}, ${kb(startupBytes(packages.metafile))}`,
        },
        vsEmpty('handler init (config, clients, top-level await)', init),
        vsEmpty('cold import (in-process)', timeOf(bundle), 2),
        vsEmpty(
          'cold import, built and run as before: identifiers minified, node:http by ES import, NODE_OPTIONS=--enable-source-maps',
          timeOf(before),
        ),
        vsEmpty('cold start (whole process)', whole, 2, emptyProcess),
      );
      notes.push(
        `- ${name}: largest contributors to the code loaded at cold start (bytes, whitespace and syntax minified): ${contributors(bundle.metafile)}`,
      );
    }
    return {
      title: 'Cold start',
      method:
        `Bundles built by \`buildFunction\` (lib/bundling.ts) into a temp dir, and an empty module ` +
        '(`export const handler = async () => ({})`) with the same `BUNDLE_OPTIONS`. Each of ' +
        `${RUNS} rounds (after a warm-up round) starts a fresh \`node\` per bundle, interleaved. ` +
        '"In-process", the primary figure, is `performance.now()` around `await import(bundle)` in ' +
        "the child, the handler's init included (config, clients: the secrets are plain values here, " +
        'so the worker makes its clients at init; in AWS, on its first invocation); "whole process" ' +
        'is spawn to exit seen from the parent (node start-up included, which dilutes the ratio). ' +
        "Beside each function, in the same rounds: the bundle with a mark after the entry's imports " +
        '(module loading vs init); the third-party floor, a module importing exactly the names our ' +
        'start-up code imports from packages (bench/third-party-floor.ts), bundled the same way; ' +
        'and the same code built and run as before (identifiers minified, node:http by ES import, ' +
        'NODE_OPTIONS=--enable-source-maps).',
      rows,
      notes,
    };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}
