import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, type Metafile } from 'esbuild';
import { BUNDLE_OPTIONS, buildFunction, PROJECT_ROOT } from '../lib/bundling.js';
import { type BenchEnvironment, progress } from './environment.js';
import { type Row, type Section, verdict } from './report.js';
import { fmt, fmtSummary, summarize } from './stats.js';

const RUNS = 15;

interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly metafile: Metafile;
}

/** An empty handler bundled with the same options: the floor of any cold start. */
function buildEmpty(outRoot: string): Bundle {
  const file = join(outRoot, 'functions', 'empty', 'index.mjs');
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    stdin: {
      contents: 'export const handler = async () => ({});',
      loader: 'ts',
      resolveDir: PROJECT_ROOT,
    },
    outfile: file,
    logLevel: 'warning',
  });
  return { name: 'empty', file, metafile: result.metafile };
}

/**
 * One fresh `node` process importing `file`: the import time it reports (performance.now()
 * around `await import`) and the whole process time seen from here (spawn to exit).
 */
function coldImport(
  file: string,
  env: Readonly<Record<string, string>>,
): Promise<{ importMs: number; processMs: number }> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t)); process.exit(0);`;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const processMs = Number(process.hrtime.bigint() - start) / 1e6;
      const importMs = Number(out);
      if (code !== 0 || !Number.isFinite(importMs))
        reject(new Error(`import of ${file} failed (${code})`));
      else resolve({ importMs, processMs });
    });
  });
}

/**
 * The outputs a cold start loads: the entry and every chunk it imports statically, followed
 * transitively. Chunks reached only by `import()` load later, when their code path runs.
 */
function loadedAtStart(metafile: Metafile): Array<[string, Metafile['outputs'][string]]> {
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
  return [...seen].map((path) => [path, outputs[path] as Metafile['outputs'][string]]);
}

/** Bytes of code a cold start loads (entry plus its static chunks). */
function startupBytes(metafile: Metafile): number {
  return loadedAtStart(metafile).reduce((sum, [, output]) => sum + output.bytes, 0);
}

/** The biggest inputs loaded at cold start, by package (or project folder). */
function contributors(metafile: Metafile, top = 6): string {
  const byOwner = new Map<string, number>();
  for (const [, output] of loadedAtStart(metafile)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const owner =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/')[0] ?? path;
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([owner, bytes]) => `\`${owner}\` ${fmt(bytes / 1024)} KB`)
    .join(', ');
}

/** Cold start: bundle size and cold import time of each function against an empty module. */
export async function measureColdStart(env: BenchEnvironment): Promise<Section> {
  const outRoot = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    progress('cold-start: building bundles');
    const bundles: Bundle[] = [
      buildEmpty(outRoot),
      ...(['ingest', 'worker'] as const).map((name) => {
        const { outDir, metafile } = buildFunction(name, outRoot);
        return { name, file: join(outDir, 'index.mjs'), metafile };
      }),
    ];
    const times = Object.fromEntries(
      bundles.map((b) => [b.name, { importMs: [] as number[], processMs: [] as number[] }]),
    );
    progress(`cold-start: ${RUNS} fresh node processes per bundle`);
    for (let run = 0; run < RUNS + 1; run += 1) {
      for (const bundle of bundles) {
        const { importMs, processMs } = await coldImport(bundle.file, env.env);
        if (run === 0) continue; // the first round warms the OS file cache
        times[bundle.name]?.importMs.push(importMs);
        times[bundle.name]?.processMs.push(processMs);
      }
    }
    const empty = times.empty as { importMs: number[]; processMs: number[] };
    const emptyImport = summarize(empty.importMs);
    const emptyProcess = summarize(empty.processMs);
    const emptySize = startupBytes((bundles[0] as Bundle).metafile);
    const rows: Row[] = [];
    const notes: string[] = [];
    for (const bundle of bundles.slice(1)) {
      const t = times[bundle.name] as { importMs: number[]; processMs: number[] };
      const imp = summarize(t.importMs);
      const proc = summarize(t.processMs);
      const size = startupBytes(bundle.metafile);
      rows.push(
        {
          figure: `${bundle.name} code loaded at cold start (entry + static chunks)`,
          measured: `${fmt(size / 1024)} KB`,
          baseline: `empty ${fmt(emptySize / 1024)} KB`,
          ratio: `${fmt(size / emptySize)}x`,
          goal: '-',
          status: 'info',
        },
        {
          figure: `${bundle.name} cold import (in-process)`,
          measured: fmtSummary(imp, ' ms'),
          baseline: `empty ${fmtSummary(emptyImport, ' ms')}`,
          ratio: `${fmt(imp.median / emptyImport.median)}x`,
          goal: '<= 2x',
          status: verdict(imp.median / emptyImport.median <= 2),
        },
        {
          figure: `${bundle.name} cold start (whole process)`,
          measured: fmtSummary(proc, ' ms'),
          baseline: `empty ${fmtSummary(emptyProcess, ' ms')}`,
          ratio: `${fmt(proc.median / emptyProcess.median)}x`,
          goal: '<= 2x',
          status: verdict(proc.median / emptyProcess.median <= 2),
        },
      );
      notes.push(
        `- ${bundle.name}: largest contributors to the code loaded at cold start (minified bytes): ${contributors(bundle.metafile)}`,
      );
    }
    return {
      title: 'Cold start',
      method:
        `Bundles built by \`buildFunction\` (lib/bundling.ts) into a temp dir; the empty module is ` +
        '`export const handler = async () => ({})` bundled with the same `BUNDLE_OPTIONS`. Each of ' +
        `${RUNS} rounds (after one warm-up round) starts a fresh \`node\` per bundle, interleaved. ` +
        '"In-process" is `performance.now()` around `await import(bundle)` inside the child, which ' +
        "includes the handler's init code (config, clients, the worker's top-level await); " +
        '"whole process" is spawn to exit as seen by the parent (node start-up included, so the ' +
        'ratio is diluted by it). The primary figure is the in-process import time.',
      rows,
      notes,
    };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}
