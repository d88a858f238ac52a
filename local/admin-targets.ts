import { Redis } from 'ioredis';
import { ENV_NAMES, KEY_PREFIX_DEFAULTS } from '../shared/config/env-names.js';
import { type AdminResponse, runAdminCommand } from '../shared/tenants/run-admin-command.js';
import type { PipelineState } from './pipeline-state.js';

/** Where `npm run tenants` sends its commands: Redis directly, or a stack's admin function. */
export interface AdminTarget {
  /** Names the target in output and errors (`Redis redis://...`, `admin function ...`). */
  readonly label: string;
  send(request: Record<string, unknown>): Promise<AdminResponse>;
  close(): void;
}

/** The target could not be reached or failed: exit code 1, nothing known to be written. */
export class AdminUnreachableError extends Error {
  override readonly name = 'AdminUnreachableError';
  constructor(target: string, message: string, options?: ErrorOptions) {
    super(`${target}: ${message}`, options);
  }
}

/** A `.catch` handler: any error means `target` is unreachable (`reason` may name the cause). */
export const unreachable =
  (target: string, reason?: () => Error | undefined) =>
  (error: Error): never => {
    throw new AdminUnreachableError(target, (reason?.() ?? error).message, { cause: error });
  };

/**
 * Redis directly (the local pipeline or any Redis the operator can reach). Default caps come
 * from the environment, or from the running `npm start` when this is its Redis; otherwise
 * they are unknown rather than guessed, so `status` never shows local numbers as real ones.
 */
export async function redisTarget(
  env: NodeJS.ProcessEnv,
  pipeline: PipelineState | undefined,
): Promise<AdminTarget> {
  const url = env[ENV_NAMES.redisUrl]?.trim() || pipeline?.redisUrl || 'redis://127.0.0.1:6379';
  const pipelineEnv = pipeline?.redisUrl === url ? pipeline.env : {};
  // A setting by its field in ENV_NAMES: the operator's environment, else the running pipeline's.
  const setting = (field: keyof typeof ENV_NAMES) =>
    env[ENV_NAMES[field]]?.trim() || pipelineEnv[ENV_NAMES[field]];
  const number = (field: keyof typeof ENV_NAMES) => {
    const n = Number(setting(field));
    return n > 0 && Number.isSafeInteger(n) ? n : null;
  };
  // Fail fast on a wrong URL instead of retrying forever: an operator is waiting.
  const redis = new Redis(url, {
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  let connectionError: Error | undefined;
  redis.on('error', (error: Error) => {
    connectionError = error;
  });
  const label = `Redis ${url}`;
  const failed = unreachable(label, () => connectionError);
  await redis.connect().catch(failed);
  const runtime = {
    redis,
    prefixes: {
      tenantmapPrefix: setting('tenantmapPrefix') || KEY_PREFIX_DEFAULTS.tenantmapPrefix,
      capPrefix: setting('capPrefix') || KEY_PREFIX_DEFAULTS.capPrefix,
    },
    tenantcfgPrefix: setting('tenantcfgPrefix') || KEY_PREFIX_DEFAULTS.tenantcfgPrefix,
    defaults: {
      globalConcurrencyCap: number('globalConcurrencyCap'),
      tenantConcurrencyCapDefault: number('tenantConcurrencyCapDefault'),
      tenantCallsPerMinCapDefault: number('tenantCallsPerMinCapDefault'),
    },
    leaseSeconds: number('capacityTtlSeconds'),
    // Audit lines are the deployed function's record; a local write is the operator's own.
    logger: { info: () => {} },
  };
  return {
    label,
    send: (request) => runAdminCommand(runtime, request).catch(failed),
    close: () => redis.disconnect(),
  };
}
