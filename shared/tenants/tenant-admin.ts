import type { Redis } from 'ioredis';
import { capacityKeys } from '../capacity/keys.js';
import { didKey } from './resolve-tenant.js';

/** The contract's two key prefixes (`TENANTMAP_PREFIX`, `CAP_PREFIX`). */
export interface AdminPrefixes {
  readonly tenantmapPrefix: string;
  readonly capPrefix: string;
}

/** Which cap override: the contract's `cap:concurrency` or `cap:rpm` key. */
export type CapName = 'concurrency' | 'rpm';
export const CAP_NAMES = ['concurrency', 'rpm'] as const satisfies readonly CapName[];

/** The Redis commands the admin writes use (only the contract's DID and override keys). */
export type AdminWriteRedis = Pick<Redis, 'set' | 'getdel' | 'multi'>;

/** Maps a validated number to a tenant; `previous` is the tenant it had (`null`: none). */
export async function mapNumber(
  redis: AdminWriteRedis,
  prefixes: AdminPrefixes,
  number: string,
  tenant: string,
): Promise<{ number: string; tenant: string; previous: string | null }> {
  const previous = await redis.set(didKey(prefixes.tenantmapPrefix, number), tenant, 'GET');
  return { number, tenant, previous };
}

/** Removes a validated number's mapping; `previous` is the tenant it had (`null`: none). */
export async function unmapNumber(
  redis: AdminWriteRedis,
  prefixes: AdminPrefixes,
  number: string,
): Promise<{ number: string; previous: string | null }> {
  const previous = await redis.getdel(didKey(prefixes.tenantmapPrefix, number));
  return { number, previous };
}

/** Cap overrides by name; `null` where a tenant has none. */
export type CapValues = Partial<Record<CapName, number | null>>;

/** Sets the given overrides in one transaction; returns the values before and after. */
export async function setCaps(
  redis: AdminWriteRedis,
  prefixes: AdminPrefixes,
  tenant: string,
  caps: Partial<Record<CapName, number>>,
): Promise<{ tenant: string; before: CapValues; after: CapValues }> {
  const names = CAP_NAMES.filter((name) => caps[name] !== undefined);
  const tx = redis.multi();
  for (const name of names) tx.set(overrideKey(prefixes, tenant, name), String(caps[name]), 'GET');
  const before = replies(names, await tx.exec());
  return { tenant, before, after: Object.fromEntries(names.map((n) => [n, caps[n]])) };
}

/** Deletes the named overrides (both when none is named), so the stack's defaults apply. */
export async function clearCaps(
  redis: AdminWriteRedis,
  prefixes: AdminPrefixes,
  tenant: string,
  which: readonly CapName[],
): Promise<{ tenant: string; cleared: CapName[]; removed: number; before: CapValues }> {
  const cleared = which.length > 0 ? CAP_NAMES.filter((n) => which.includes(n)) : [...CAP_NAMES];
  const tx = redis.multi();
  for (const name of cleared) tx.getdel(overrideKey(prefixes, tenant, name));
  const before = replies(cleared, await tx.exec());
  const removed = Object.values(before).filter((v) => v !== null).length;
  return { tenant, cleared, removed, before };
}

function overrideKey(prefixes: AdminPrefixes, tenant: string, name: CapName): string {
  const keys = capacityKeys(prefixes);
  return name === 'concurrency' ? keys.concurrencyOverride(tenant) : keys.rpmOverride(tenant);
}

/** Transaction replies (old values) by cap name; a failed command fails the whole change. */
function replies(names: readonly CapName[], results: [Error | null, unknown][] | null): CapValues {
  if (!results) throw new Error('cap change transaction was aborted');
  return Object.fromEntries(
    names.map((name, i) => {
      const [error, value] = results[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      return [name, value === null ? null : Number(value)];
    }),
  );
}

/** Every mapped number and its tenant, sorted by number (SCAN, so safe on a busy server). */
export async function listNumbers(
  redis: Pick<Redis, 'scanStream' | 'mget'>,
  prefixes: Pick<AdminPrefixes, 'tenantmapPrefix'>,
): Promise<Array<{ number: string; tenant: string }>> {
  const prefix = `${prefixes.tenantmapPrefix}:did:`;
  const keys = await scanKeys(redis, `${globEscape(prefix)}*`);
  const tenants = keys.length > 0 ? await redis.mget(...keys) : [];
  return keys
    .map((key, i) => ({ number: key.slice(prefix.length), tenant: tenants[i] ?? '' }))
    .filter((entry) => entry.tenant !== '')
    .sort((a, b) => a.number.localeCompare(b.number));
}

/** All keys matching a glob pattern, through SCAN rather than the blocking KEYS. */
export async function scanKeys(redis: Pick<Redis, 'scanStream'>, match: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const batch of redis.scanStream({ match, count: 500 })) {
    for (const key of batch as string[]) keys.add(key);
  }
  return [...keys].sort();
}

/** Escapes glob characters, so a prefix is matched literally by SCAN MATCH. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
