import { RECONCILE_DEFAULTS } from '../shared/reconciler/reconcile-settings.js';
import { envOr } from './handler-env.js';
import { lambdaContext } from './lambda-context.js';

/** The reconciler handler as the local loop calls it (EventBridge's event is not read). */
export type ReconcilerHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Runs the reconciler handler every RECONCILE_INTERVAL_SECONDS, as the EventBridge schedule
 * does in AWS; a run still going when the next is due is not doubled. Returns `stop`.
 */
export function startReconcileLoop(
  handler: ReconcilerHandler,
  onError: (error: unknown) => void,
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<void> {
  const fallback = String(RECONCILE_DEFAULTS.intervalSeconds);
  const intervalMs = Number(envOr(env, 'RECONCILE_INTERVAL_SECONDS', fallback)) * 1000;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = handler({}, lambdaContext('reconciler', intervalMs))
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
