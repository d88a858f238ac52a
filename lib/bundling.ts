import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** The project root, whichever way this module is loaded (tsx, jest or the CDK app). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The deployable functions and their handler sources. */
export const FUNCTION_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  worker: 'functions/worker/handler.ts',
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
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  legalComments: 'none',
  metafile: true,
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
} as const satisfies BuildOptions;

/** Bundles one function into `${outRoot}/functions/${name}/index.mjs` (+ `.map`). */
export function buildFunction(
  name: FunctionName,
  outRoot = join(PROJECT_ROOT, 'dist'),
): {
  readonly outDir: string;
  readonly metafile: Metafile;
} {
  const outDir = join(outRoot, 'functions', name);
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    entryPoints: [join(PROJECT_ROOT, FUNCTION_ENTRIES[name])],
    outfile: join(outDir, 'index.mjs'),
    logLevel: 'warning',
  });
  return { outDir, metafile: result.metafile };
}

/** Bundles every function; returns each one's output directory. */
export function buildAllFunctions(outRoot?: string): Record<FunctionName, string> {
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  return Object.fromEntries(
    names.map((name) => [name, buildFunction(name, outRoot).outDir]),
  ) as Record<FunctionName, string>;
}
