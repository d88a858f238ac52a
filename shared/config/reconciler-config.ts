import { RECONCILE_DEFAULTS, type ReconcileSettings } from '../reconciler/reconcile-settings.js';
import { type AdmissionConfig, admissionFields } from './admission-config.js';
import { ENV_NAMES as N } from './env-names.js';
import { type Env, type EnvProblem, loadFields, positiveIntegerWithDefault } from './parse-env.js';
import { type TelnyxApiConfig, telnyxApiFields, telnyxKeyProblems } from './telnyx-api-config.js';

/**
 * The reconciler's settings: the Redis contract, its schedule and how it asks Telnyx (one
 * attempt per status request: an unanswered call is renewed and asked again next period).
 */
export interface ReconcilerConfig extends AdmissionConfig, TelnyxApiConfig, ReconcileSettings {}

const reconcilerFields = {
  ...admissionFields,
  ...telnyxApiFields,
  intervalSeconds: [
    N.reconcileIntervalSeconds,
    positiveIntegerWithDefault(RECONCILE_DEFAULTS.intervalSeconds),
  ],
  checkSeconds: [
    N.reconcileCheckSeconds,
    positiveIntegerWithDefault(RECONCILE_DEFAULTS.checkSeconds),
  ],
  batchSize: [N.reconcileBatchSize, positiveIntegerWithDefault(RECONCILE_DEFAULTS.batchSize)],
} as const;

/**
 * Reads the reconciler's environment; every problem is reported in one `ConfigError`. A
 * lease must outlive two intervals, or a live call could lose its slot between two runs.
 */
export function loadReconcilerConfig(env: Env = process.env): ReconcilerConfig {
  const settings = loadFields(reconcilerFields, env, (e) => [
    ...telnyxKeyProblems(e),
    ...leaseProblems(e),
  ]);
  return { ...settings, concurrency: RECONCILE_DEFAULTS.concurrency };
}

function leaseProblems(env: Env): EnvProblem[] {
  const interval = Number(
    env[N.reconcileIntervalSeconds]?.trim() || RECONCILE_DEFAULTS.intervalSeconds,
  );
  return Number(env[N.capacityTtlSeconds]) <= 2 * interval
    ? [
        {
          variable: N.capacityTtlSeconds,
          message: `must exceed twice ${N.reconcileIntervalSeconds}`,
        },
      ]
    : [];
}
