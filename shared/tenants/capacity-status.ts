import type { Redis } from 'ioredis';
import { capacityKeys } from '../capacity/keys.js';
import { type AdminPrefixes, globEscape, listNumbers, scanKeys } from './tenant-admin.js';

/**
 * The caps the worker falls back to when a tenant has no override, from the worker's
 * environment; `null` where they are not known (a Redis reached without its stack).
 */
export interface CapDefaults {
  readonly globalConcurrencyCap: number | null;
  readonly tenantConcurrencyCapDefault: number | null;
  readonly tenantCallsPerMinCapDefault: number | null;
}

/** The cap the worker applies to a tenant, and whether it is the tenant's override. */
export interface EffectiveCap {
  /** `null`: no override and the default is not known here. */
  readonly value: number | null;
  readonly source: 'override' | 'default';
}

/** One tenant's live capacity, as the acquire script would see it now. */
export interface TenantStatus {
  readonly tenant: string;
  readonly numbers: readonly string[];
  readonly active: number;
  readonly concurrencyCap: EffectiveCap;
  readonly callsThisMinute: number;
  readonly rpmCap: EffectiveCap;
  /** Members whose lease ran out (a lost release); the next acquire reclaims them. */
  readonly expiredLeases: number;
}

export interface CapacityStatus {
  /** Redis server time (ISO 8601): lease scores are in its seconds. */
  readonly serverTime: string;
  readonly global: {
    readonly active: number;
    readonly cap: number | null;
    readonly expiredLeases: number;
  };
  readonly tenants: readonly TenantStatus[];
}

/** The read commands {@link capacityStatus} uses. */
export type StatusRedis = Pick<Redis, 'scanStream' | 'mget' | 'get' | 'scard' | 'zcount' | 'time'>;

/**
 * Reads live capacity for `tenant`, or for every tenant that has a number, an override or
 * capacity keys. Read-only: it never reclaims, so expired leases show until the next acquire.
 */
export async function capacityStatus(
  redis: StatusRedis,
  prefixes: AdminPrefixes,
  defaults: CapDefaults,
  tenant?: string,
): Promise<CapacityStatus> {
  const keys = capacityKeys(prefixes);
  const [seconds] = await redis.time();
  const now = Number(seconds);
  const numbers = await listNumbers(redis, prefixes);
  const tenants = tenant ? [tenant] : await knownTenants(redis, prefixes, numbers);
  const tenantStatus = async (t: string): Promise<TenantStatus> => {
    const [active, concurrency, rpm, calls, expired] = await Promise.all([
      redis.scard(keys.tenantActive(t)),
      redis.get(keys.concurrencyOverride(t)),
      redis.get(keys.rpmOverride(t)),
      // The worker names RPM keys by its own clock's UTC minute, so this does too.
      redis.get(keys.tenantRpm(t, new Date())),
      redis.zcount(keys.tenantLeases(t), '-inf', now),
    ]);
    return {
      tenant: t,
      numbers: numbers.filter((n) => n.tenant === t).map((n) => n.number),
      active,
      concurrencyCap: effectiveCap(concurrency, defaults.tenantConcurrencyCapDefault),
      callsThisMinute: Number(calls ?? 0),
      rpmCap: effectiveCap(rpm, defaults.tenantCallsPerMinCapDefault),
      expiredLeases: expired,
    };
  };
  const [globalActive, globalExpired, statuses] = await Promise.all([
    redis.scard(keys.globalActive()),
    redis.zcount(keys.globalLeases(), '-inf', now),
    Promise.all(tenants.map(tenantStatus)),
  ]);
  return {
    serverTime: new Date(now * 1000).toISOString(),
    global: {
      active: globalActive,
      cap: defaults.globalConcurrencyCap,
      expiredLeases: globalExpired,
    },
    tenants: statuses,
  };
}

/** The acquire script's rule: an override counts when it parses to a positive number. */
function effectiveCap(override: string | null, fallback: number | null): EffectiveCap {
  const n = override === null || override.trim() === '' ? Number.NaN : Number(override);
  return n > 0 && Number.isFinite(n)
    ? { value: n, source: 'override' }
    : { value: fallback, source: 'default' };
}

async function knownTenants(
  redis: StatusRedis,
  { tenantmapPrefix, capPrefix }: AdminPrefixes,
  numbers: ReadonlyArray<{ tenant: string }>,
): Promise<string[]> {
  const tm = `${tenantmapPrefix}:tenant:`;
  const cap = `${capPrefix}:tenant:`;
  const [overrides, capKeys] = await Promise.all([
    scanKeys(redis, `${globEscape(tm)}*:cap:*`),
    scanKeys(redis, `${globEscape(cap)}*`),
  ]);
  const ids = new Set(numbers.map((n) => n.tenant));
  for (const key of overrides) ids.add(key.slice(tm.length).replace(/:cap:[^:]+$/, ''));
  for (const key of capKeys) {
    const match = /^(.+):(active|leases|rpm:\d{12})$/.exec(key.slice(cap.length));
    if (match?.[1]) ids.add(match[1]);
  }
  return [...ids].sort();
}
