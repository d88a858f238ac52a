import { loadReconcilerConfig } from '../../shared/config/reconciler-config.js';
import { ConfigError } from '../../shared/errors.js';
import {
  reclaimBoundSeconds,
  renewalWindowSeconds,
} from '../../shared/reconciler/reconcile-settings.js';

const vars = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  GLOBAL_CONCURRENCY_CAP: '100',
  TENANT_CONCURRENCY_CAP_DEFAULT: '10',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '30',
  CAPACITY_TTL_SECONDS: '7200',
  TELNYX_API_KEY: 'KEY123',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadReconcilerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.variables;
    throw error;
  }
  return [];
}

describe('loadReconcilerConfig', () => {
  it('runs every 60 s, asks about a call every 300 s, at most 500 calls a run, by default', () => {
    expect(loadReconcilerConfig(vars)).toMatchObject({
      intervalSeconds: 60,
      checkSeconds: 300,
      batchSize: 500,
      capacityTtlSeconds: 7200,
      telnyxApiKey: 'KEY123',
    });
  });

  it('reads RECONCILE_INTERVAL_SECONDS, RECONCILE_CHECK_SECONDS and RECONCILE_BATCH_SIZE', () => {
    const config = loadReconcilerConfig({
      ...vars,
      RECONCILE_INTERVAL_SECONDS: '120',
      RECONCILE_CHECK_SECONDS: '600',
      RECONCILE_BATCH_SIZE: '50',
    });
    expect(config).toMatchObject({ intervalSeconds: 120, checkSeconds: 600, batchSize: 50 });
  });

  it('refuses a lease that two intervals would outlast, and a missing Telnyx key, together', () => {
    const { TELNYX_API_KEY: _key, ...withoutKey } = vars;
    expect(
      problemsOf({ ...withoutKey, CAPACITY_TTL_SECONDS: '120', RECONCILE_INTERVAL_SECONDS: '60' }),
    ).toEqual(['TELNYX_API_KEY', 'CAPACITY_TTL_SECONDS']);
  });
});

describe('the renewal window and the reclaim bound', () => {
  const defaults = { capacityTtlSeconds: 7200, intervalSeconds: 60, checkSeconds: 300 };
  const settings = { ...defaults, batchSize: 500, concurrency: 16 };

  it('checks a call once its last renewal is RECONCILE_CHECK_SECONDS old', () => {
    expect(renewalWindowSeconds(settings)).toBe(6900);
  });

  it('reclaims a lost hangup within the check period plus two intervals (420 s by default)', () => {
    expect(reclaimBoundSeconds(settings)).toBe(420);
  });

  it('checks a call two intervals before its lease runs out when the lease is short', () => {
    const short = { ...settings, capacityTtlSeconds: 150 };
    expect(renewalWindowSeconds(short)).toBe(120);
    expect(reclaimBoundSeconds(short)).toBe(150);
  });
});
