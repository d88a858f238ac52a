import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { capacityKeys } from './keys.js';
import { DUE_LEASES_SCRIPT, RENEW_LEASES_SCRIPT, UNLOCK_SCRIPT } from './lease-scripts.js';

/** A call whose lease nears expiry, with its tenant ('' when the call record is gone). */
export interface DueCall {
  readonly callControlId: string;
  readonly tenantId: string;
}

/** What one reconciler run asks of the leases; each method is one Redis round trip. */
export interface LeaseStore {
  /**
   * Takes the run lock and lists up to `batchSize` calls whose lease expires within
   * `windowSeconds`; `locked` when another run holds the lock (then nothing is read).
   */
  claimDue(options: ClaimOptions): Promise<Claim>;
  /** Renews the leases of calls still holding one; returns how many were renewed. */
  renew(callControlIds: readonly string[]): Promise<number>;
  /** Gives the lock back (only if this run still holds it). */
  unlock(claim: Claim): Promise<void>;
}

export interface ClaimOptions {
  readonly windowSeconds: number;
  readonly batchSize: number;
  /** How long the lock outlives a run that dies without giving it back (ms). */
  readonly lockTtlMs: number;
}

export type Claim =
  | { readonly locked: true }
  | { readonly locked: false; readonly token: string; readonly due: readonly DueCall[] };

export interface LeaseStoreSettings {
  readonly capPrefix: string;
  readonly tenantmapPrefix: string;
  readonly capacityTtlSeconds: number;
}

type ScriptClient = Pick<Redis, 'defineCommand'> & {
  reconcileDue(...args: string[]): Promise<string[]>;
  reconcileRenew(...args: string[]): Promise<number>;
  reconcileUnlock(...args: string[]): Promise<number>;
};

/** Registers the reconciler's scripts on `redis` (EVALSHA once loaded) and returns the store. */
export function createLeaseStore(
  redis: Pick<Redis, 'defineCommand'>,
  settings: LeaseStoreSettings,
): LeaseStore {
  const keys = capacityKeys(settings);
  const define = (name: string, script: { lua: string; numberOfKeys: number }) =>
    redis.defineCommand(name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
  define('reconcileDue', DUE_LEASES_SCRIPT);
  define('reconcileRenew', RENEW_LEASES_SCRIPT);
  define('reconcileUnlock', UNLOCK_SCRIPT);
  const scripts = redis as ScriptClient;

  return {
    async claimDue({ windowSeconds, batchSize, lockTtlMs }) {
      const token = randomUUID();
      const reply = await scripts.reconcileDue(
        ...DUE_LEASES_SCRIPT.arguments({
          lock: keys.reconcileLock(),
          globalLeases: keys.globalLeases(),
          lockToken: token,
          lockTtlMs: String(lockTtlMs),
          windowSeconds: String(windowSeconds),
          batchSize: String(batchSize),
          capPrefix: settings.capPrefix,
        }),
      );
      if (reply[0] === 'locked') return { locked: true };
      const due: DueCall[] = [];
      for (let i = 1; i < reply.length; i += 2) {
        due.push({ callControlId: reply[i] as string, tenantId: reply[i + 1] ?? '' });
      }
      return { locked: false, token, due };
    },
    async renew(callControlIds) {
      if (callControlIds.length === 0) return 0;
      const fields = {
        globalActive: keys.globalActive(),
        globalLeases: keys.globalLeases(),
        capPrefix: settings.capPrefix,
        capacityTtlSeconds: String(settings.capacityTtlSeconds),
      };
      return scripts.reconcileRenew(...RENEW_LEASES_SCRIPT.arguments(fields, callControlIds));
    },
    async unlock(claim) {
      if (claim.locked) return;
      await scripts.reconcileUnlock(
        ...UNLOCK_SCRIPT.arguments({ lock: keys.reconcileLock(), lockToken: claim.token }),
      );
    },
  };
}
