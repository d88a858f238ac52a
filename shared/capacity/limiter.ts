import type { Redis } from 'ioredis';
import { type CapacityDenial, isCapacityDenial } from '../calls/denials.js';
import { CapacityEvaluationError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import { type CapacityKeys, capacityKeys } from './keys.js';
import { acquireArguments, releaseArguments } from './script-arguments.js';
import { ACQUIRE_SCRIPT, RELEASE_SCRIPT } from './scripts.js';

/**
 * An acquire's outcome: admitted, refused by a cap, or refused because the call has ended.
 * Admitted: `tenantId` is the tenant the call counts against (the one that first admitted
 * it); `repeat` says the call already held its slot, so nothing was counted this time.
 */
export type AcquireResult =
  | { readonly admitted: true; readonly tenantId: string; readonly repeat: boolean }
  | { readonly admitted: false; readonly reason: CapacityDenial | 'call_ended' };

export interface LimiterSettings {
  readonly capPrefix: string;
  readonly tenantmapPrefix: string;
  readonly globalConcurrencyCap: number;
  readonly tenantConcurrencyCapDefault: number;
  readonly tenantCallsPerMinCapDefault: number;
  readonly capacityTtlSeconds: number;
  /** Expired leases reclaimed per scope per acquire; bounds the script's work. */
  readonly reclaimBatchSize?: number;
}

type LimiterLogger = Pick<AppLogger, 'info' | 'error'>;

/** The two scripts as ioredis commands: EVALSHA, falling back to EVAL once per connection. */
type ScriptClient = Pick<Redis, 'defineCommand'> & {
  capacityAcquire(...args: string[]): Promise<string>;
  capacityRelease(...args: string[]): Promise<number>;
};

export interface CapacityLimiter {
  tryAcquire(callControlId: string, tenantId: string): Promise<AcquireResult>;
  /** Releases the call's slot; returns whether it held one, or `undefined` when Redis failed. */
  release(callControlId: string, options?: ReleaseOptions): Promise<boolean | undefined>;
}

export interface ReleaseOptions {
  /** The call's tenant, used only when the call record is gone (expired or never written). */
  readonly tenantIdHint?: string | undefined;
  /**
   * Leave the short-lived ended-call marker that refuses a late acquire (default true).
   * False when the call goes on and will be admitted afresh, e.g. after a failed answer.
   */
  readonly markEnded?: boolean;
}

/** Expired leases reclaimed per scope per acquire unless the settings say otherwise. */
export const DEFAULT_RECLAIM_BATCH = 100;
// The acquire script's reply for a call that already holds a slot: 'held:<tenant>'.
const HELD = 'held:';

/** Registers the limiter's scripts on `redis` and returns its two operations. */
export function createCapacityLimiter(
  redis: Pick<Redis, 'defineCommand'>,
  settings: LimiterSettings,
  logger: LimiterLogger,
  now: () => Date = () => new Date(),
): CapacityLimiter {
  const keys: CapacityKeys = capacityKeys(settings);
  redis.defineCommand('capacityAcquire', ACQUIRE_SCRIPT);
  redis.defineCommand('capacityRelease', RELEASE_SCRIPT);
  const scripts = redis as ScriptClient;
  const limits = {
    ...settings,
    reclaimBatchSize: settings.reclaimBatchSize ?? DEFAULT_RECLAIM_BATCH,
  };

  async function tryAcquire(callControlId: string, tenantId: string): Promise<AcquireResult> {
    let outcome: string;
    try {
      outcome = await scripts.capacityAcquire(
        ...acquireArguments(keys, limits, { callControlId, tenantId, now: now() }),
      );
    } catch (error) {
      logger.error(LOG_MESSAGES.capacityEvaluationFailed, {
        callControlId,
        tenantId,
        error: messageOf(error),
      });
      throw new CapacityEvaluationError('capacity evaluation failed', { cause: error });
    }
    if (outcome === 'ok') return { admitted: true, tenantId, repeat: false };
    if (outcome.startsWith(HELD)) {
      return { admitted: true, tenantId: outcome.slice(HELD.length), repeat: true };
    }
    if (isCapacityDenial(outcome) || outcome === 'call_ended') {
      if (outcome !== 'call_ended') {
        logger.info(LOG_MESSAGES.capacityDenied, { callControlId, tenantId, reason: outcome });
      }
      return { admitted: false, reason: outcome };
    }
    logger.error(LOG_MESSAGES.capacityEvaluationFailed, {
      callControlId,
      tenantId,
      error: `unexpected reply ${outcome}`,
    });
    throw new CapacityEvaluationError(`capacity script returned ${outcome}`);
  }

  async function release(
    callControlId: string,
    { tenantIdHint = '', markEnded = true }: ReleaseOptions = {},
  ): Promise<boolean | undefined> {
    try {
      const released = await scripts.capacityRelease(
        ...releaseArguments(keys, settings.capPrefix, {
          callControlId,
          tenantIdHint,
          // The marker lives one TTL: past that, any slot wrongly taken is reclaimed by its lease.
          endedMarkerTtlSeconds: markEnded ? settings.capacityTtlSeconds : 0,
        }),
      );
      return released === 1;
    } catch (error) {
      logger.error(LOG_MESSAGES.capacityReleaseFailed, { callControlId, error: messageOf(error) });
      return undefined;
    }
  }

  return { tryAcquire, release };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
