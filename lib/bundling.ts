import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** The project root, whichever way this module is loaded (tsx, jest or the CDK app). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const NODE_HTTP_SHIM = fileURLToPath(new URL('./node-http.cjs', import.meta.url));

/** The deployable functions and their handler sources. */
export const FUNCTION_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  worker: 'functions/worker/handler.ts',
  admin: 'functions/admin/handler.ts',
  reconciler: 'functions/reconciler/handler.ts',
} as const;
export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/**
 * The one bundling definition: `npm run build` and the CDK stack both use it, so the
 * bundle that tests load is byte for byte the one that is deployed. ESM needs the
 * `createRequire` banner because ioredis (CommonJS) calls `require` for Node built-ins.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // Whitespace and syntax minified, names kept: a stack trace in the logs names our functions
  // without Node loading source maps at cold start (NODE_OPTIONS=--enable-source-maps cost
  // ~30 ms per cold start here, see docs/benchmarks.md). The .map files stay in the asset for
  // reading a trace offline.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  legalComments: 'none',
  metafile: true,
  // See lib/node-http.cjs: node:http by require, not by ES import (its facade loads undici).
  alias: { http: NODE_HTTP_SHIM, 'node:http': NODE_HTTP_SHIM },
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
} as const satisfies BuildOptions;

/**
 * Bundles one function into `${outRoot}/functions/${name}/index.mjs` (+ `.map`), with every
 * `import()` the dependencies make (the AWS SDK's SSO/STS/ini credential providers, bowser,
 * event streams...) split into its own chunk beside it: those are fetched only when the code
 * path runs, so a cold start no longer compiles them. Static imports stay in `index.mjs` and
 * the chunks it imports; the directory is the deployable asset.
 */
export function buildFunction(
  name: FunctionName,
  outRoot = join(PROJECT_ROOT, 'dist'),
): {
  readonly outDir: string;
  readonly metafile: Metafile;
} {
  const options = functionBuildOptions(name, outRoot);
  // Chunk names carry content hashes: drop the previous build's so the asset holds only these.
  rmSync(join(options.outdir, 'chunks'), { recursive: true, force: true });
  const result = buildSync(options);
  return { outDir: options.outdir, metafile: result.metafile };
}

/** The esbuild options `buildFunction` uses, for tools that build a variant of a function. */
export function functionBuildOptions(name: FunctionName, outRoot: string) {
  return {
    ...BUNDLE_OPTIONS,
    entryPoints: { index: join(PROJECT_ROOT, FUNCTION_ENTRIES[name]) },
    outdir: join(outRoot, 'functions', name),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  } as const satisfies BuildOptions;
}

/** Bundles every function; returns each one's output directory. */
export function buildAllFunctions(outRoot?: string): Record<FunctionName, string> {
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  return Object.fromEntries(
    names.map((name) => [name, buildFunction(name, outRoot).outDir]),
  ) as Record<FunctionName, string>;
}
