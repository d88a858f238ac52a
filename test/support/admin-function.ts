import { type LogLine, teeJsonLogs } from '../../local/capture-output.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { setEnv } from '../../local/set-env.js';
import { LOG_MESSAGES } from '../../shared/logging/log-messages.js';
import type { AdminResponse } from '../../shared/tenants/run-admin-command.js';

/** The stack's defaults as the admin function's environment gives them in these tests. */
export const ADMIN_ENV = {
  TENANTMAP_PREFIX: 'tenantmap',
  CAP_PREFIX: 'cap',
  GLOBAL_CONCURRENCY_CAP: '40',
  TENANT_CONCURRENCY_CAP_DEFAULT: '4',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '25',
  CAPACITY_TTL_SECONDS: '600',
} as const;

/** The real admin handler, loaded against `redisUrl`, with its log lines captured. */
export interface AdminFunction {
  invoke(request: unknown): Promise<AdminResponse>;
  /** The `tenant admin` audit lines written so far. */
  auditLines(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Loads `functions/admin/handler.ts` as Lambda would: environment first (it reads its
 * configuration at module load), then the module. Jest gives each test file its own copy.
 */
export async function startAdminFunction(redisUrl: string): Promise<AdminFunction> {
  const restoreEnv = setEnv({ ...ADMIN_ENV, REDIS_URL: redisUrl, POWERTOOLS_DEV: 'false' });
  const lines: LogLine[] = [];
  const restoreLogs = teeJsonLogs(
    (line) => lines.push(line),
    () => Boolean(process.env.SHOW_LOGS),
    () => Boolean(process.env.SHOW_LOGS),
  );
  const { handler, shutdown } = (await import('../../functions/admin/handler.js')) as unknown as {
    handler: (event: unknown, context: unknown) => Promise<AdminResponse>;
    shutdown: () => Promise<void>;
  };
  return {
    invoke: (request) => handler(request, lambdaContext('admin')),
    auditLines: () => lines.filter((line) => line.message === LOG_MESSAGES.tenantAdmin),
    stop: async () => {
      await shutdown();
      restoreLogs();
      restoreEnv();
    },
  };
}
