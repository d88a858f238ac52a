import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a running `npm start` says what it is connected to (`.local/` is git-ignored). */
export const PIPELINE_STATE_PATH = '.local/pipeline.json';

/**
 * What a running local pipeline publishes, so `npm run tenants` and `npm run call` reach its
 * private Redis (on a port chosen at start) and its webhook URL without being told.
 */
export interface PipelineState {
  readonly pid: number;
  readonly baseUrl: string;
  readonly webhookUrl: string;
  readonly redisUrl: string;
  readonly telnyx: 'simulator' | 'api';
  /** The contract's variables the handlers were started with. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Writes this process's state file and returns a function that removes it. Secrets are left
 * out; a crashed pipeline's file is ignored later because its pid is gone.
 */
export function publishPipelineState(
  state: Omit<PipelineState, 'pid'>,
  path = PIPELINE_STATE_PATH,
): () => void {
  const env = Object.entries(state.env).filter(([name]) => !/API_KEY|TOKEN|SECRET/.test(name));
  const file: PipelineState = { ...state, pid: process.pid, env: Object.fromEntries(env) };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  // Left alone once another pipeline has written its own.
  return () => {
    if (readPipelineState(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/** The running pipeline's state, or `undefined` when none is running. */
export function readPipelineState(path = PIPELINE_STATE_PATH): PipelineState | undefined {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as PipelineState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}
