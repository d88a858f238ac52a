/**
 * The contract's capacity variables as `npm start` sets them when the environment does not:
 * small enough that a few simulated calls reach a cap. Any of them can be overridden by env.
 */
export const LOCAL_CAP_DEFAULTS = {
  GLOBAL_CONCURRENCY_CAP: '10',
  TENANT_CONCURRENCY_CAP_DEFAULT: '2',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '60',
  CAPACITY_TTL_SECONDS: '600',
} as const;

/** The port `npm start` listens on unless `PORT` says otherwise (`npm run call` targets it). */
export const DEFAULT_LOCAL_PORT = 3000;

/** The value of `name` from `env` when set and not blank, else `fallback`. */
export function envOr(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}
