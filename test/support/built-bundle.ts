import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jest } from '@jest/globals';
import { buildFunction, type FunctionName } from '../../lib/bundling.js';
import { setEnv } from '../../local/set-env.js';

/** A bundled function's module: its handler and the shutdown that closes its clients. */
export interface BuiltBundle<H> {
  readonly handler: H;
  shutdown(): Promise<void>;
}

/** A loaded bundle and what undoes its loading. */
export interface LoadedBundle<H> {
  readonly bundle: BuiltBundle<H>;
  dispose(): Promise<void>;
}

/**
 * The deployable artifact, not the sources: bundles `name` with the one definition the stack
 * uses, sets `env` and loads the emitted index.mjs, its output kept out of the test report.
 * `dispose` shuts it down and undoes all of that.
 */
export async function loadBuiltBundle<H>(
  name: FunctionName,
  env: Record<string, string>,
): Promise<LoadedBundle<H>> {
  const outRoot = await mkdtemp(join(tmpdir(), `${name}-bundle-`));
  const restoreEnv = setEnv(env);
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation(() => true);
  }
  const { outDir } = buildFunction(name, outRoot);
  const bundle: BuiltBundle<H> = await import(pathToFileURL(join(outDir, 'index.mjs')).href);
  return {
    bundle,
    async dispose() {
      await bundle.shutdown();
      jest.restoreAllMocks();
      restoreEnv();
      await rm(outRoot, { recursive: true, force: true });
    },
  };
}
