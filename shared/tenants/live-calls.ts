import type { Redis } from 'ioredis';
import { capacityKeys } from '../capacity/keys.js';
import type { AdminPrefixes } from './tenant-admin.js';

/** A call holding a slot, from the limiter's lease sorted sets and call records. */
export interface LiveCall {
  readonly callControlId: string;
  /** From the call record; `null` when the record is gone (the lease still holds the slot). */
  readonly tenant: string | null;
  /** Seconds since admission (lease expiry minus the lease length); `null` when that is unknown. */
  readonly ageSeconds: number | null;
  readonly leaseExpiresAt: string;
  /** The lease ran out (a lost hangup): the slot is freed by the next acquire. */
  readonly leaseExpired: boolean;
}

export interface LiveCalls {
  readonly serverTime: string;
  readonly calls: readonly LiveCall[];
}

/**
 * Lists the calls holding slots of `tenant` (or of every tenant: the global leases), oldest
 * first. The acquire script scores each lease with `now + CAPACITY_TTL_SECONDS` in Redis
 * server seconds, so the age is exact when `leaseSeconds` is the deployed TTL. Read-only.
 */
export async function liveCalls(
  redis: Pick<Redis, 'time' | 'zrange' | 'mget'>,
  prefixes: AdminPrefixes,
  leaseSeconds: number | null,
  tenant?: string,
): Promise<LiveCalls> {
  const keys = capacityKeys(prefixes);
  const [seconds] = await redis.time();
  const now = Number(seconds);
  const leases = tenant ? keys.tenantLeases(tenant) : keys.globalLeases();
  const flat = await redis.zrange(leases, '0', '-1', 'WITHSCORES');
  const ids = flat.filter((_, i) => i % 2 === 0);
  const records = ids.length > 0 ? await redis.mget(...ids.map((id) => keys.call(id))) : [];
  const calls = ids.map((id, i): LiveCall => {
    const expiry = Number(flat[i * 2 + 1]);
    return {
      callControlId: id,
      tenant: records[i] || tenant || null,
      ageSeconds: leaseSeconds === null ? null : now - (expiry - leaseSeconds),
      leaseExpiresAt: new Date(expiry * 1000).toISOString(),
      leaseExpired: expiry <= now,
    };
  });
  return { serverTime: new Date(now * 1000).toISOString(), calls };
}
