import type { Redis } from 'ioredis';
import { capacityKeys } from '../capacity/keys.js';
import { normalizeNumber } from './normalize-number.js';
import { didKey } from './resolve-tenant.js';

/** Bad operator input is expected, so it is a value: the caller prints `error` and writes nothing. */
export type AdminResult<T> = { readonly ok: true; readonly value: T } | AdminRefusal;
export type AdminRefusal = { readonly ok: false; readonly error: string };

/** The contract's two key prefixes (`TENANTMAP_PREFIX`, `CAP_PREFIX`). */
export interface AdminPrefixes {
  readonly tenantmapPrefix: string;
  readonly capPrefix: string;
}

/** The Redis commands the admin writes use; tests pass a recording fake. */
export type AdminRedis = Pick<Redis, 'set' | 'getdel' | 'del' | 'multi'>;

/** Which cap override: the contract's `cap:concurrency` or `cap:rpm` key. */
export type CapName = 'concurrency' | 'rpm';

const E164 = /^\+\d{8,15}$/;
const refuse = (error: string): AdminRefusal => ({ ok: false, error });

/** Normalises a number as the worker does (contract), then insists on E.164: `+` and 8-15 digits. */
export function parseNumber(input: string): AdminResult<string> {
  const normalized = normalizeNumber(input);
  if (E164.test(normalized)) return { ok: true, value: normalized };
  return refuse(`malformed number "${input}": expected E.164, a + and 8 to 15 digits`);
}

/** A tenant id is part of key names, so ':' and whitespace would make keys ambiguous. */
export function parseTenantId(input: string): AdminResult<string> {
  if (input === '') return refuse('tenant id is empty');
  if (/[:\s]/.test(input)) return refuse(`tenant id "${input}" contains ':' or whitespace`);
  return { ok: true, value: input };
}

/** A cap must be a positive integer; the worker would silently ignore anything else. */
export function parseCap(name: CapName, input: string): AdminResult<number> {
  const n = /^\d+$/.test(input.trim()) ? Number(input.trim()) : Number.NaN;
  if (n > 0 && Number.isSafeInteger(n)) return { ok: true, value: n };
  return refuse(`--${name} must be a positive integer, got "${input}"`);
}

/** Maps `number` to `tenantId` (the contract's DID key); `value.previous` is the old tenant. */
export async function mapNumber(
  redis: AdminRedis,
  prefixes: AdminPrefixes,
  number: string,
  tenantId: string,
): Promise<AdminResult<{ number: string; tenantId: string; previous: string | null }>> {
  const did = parseNumber(number);
  const tenant = parseTenantId(tenantId);
  if (!did.ok) return did;
  if (!tenant.ok) return tenant;
  const previous = await redis.set(
    didKey(prefixes.tenantmapPrefix, did.value),
    tenant.value,
    'GET',
  );
  return { ok: true, value: { number: did.value, tenantId: tenant.value, previous } };
}

/** Removes the number's mapping; `value.previous` is the tenant it had (`null`: none). */
export async function unmapNumber(
  redis: AdminRedis,
  prefixes: AdminPrefixes,
  number: string,
): Promise<AdminResult<{ number: string; previous: string | null }>> {
  const did = parseNumber(number);
  if (!did.ok) return did;
  const previous = await redis.getdel(didKey(prefixes.tenantmapPrefix, did.value));
  return { ok: true, value: { number: did.value, previous } };
}

/** Sets one or both cap overrides, validating every value before writing any. */
export async function setCaps(
  redis: AdminRedis,
  prefixes: AdminPrefixes,
  tenantId: string,
  caps: Partial<Record<CapName, string>>,
): Promise<AdminResult<Partial<Record<CapName, number>>>> {
  const tenant = parseTenantId(tenantId);
  if (!tenant.ok) return tenant;
  const given = (Object.entries(caps) as Array<[CapName, string | undefined]>).filter(
    (entry): entry is [CapName, string] => entry[1] !== undefined,
  );
  if (given.length === 0) return refuse('give --concurrency N, --rpm N, or both');
  const parsed: Partial<Record<CapName, number>> = {};
  for (const [name, input] of given) {
    const cap = parseCap(name, input);
    if (!cap.ok) return cap;
    parsed[name] = cap.value;
  }
  const tx = redis.multi();
  for (const [name, value] of Object.entries(parsed)) {
    tx.set(overrideKey(prefixes, tenant.value, name as CapName), String(value));
  }
  await tx.exec();
  return { ok: true, value: parsed };
}

/** Deletes the named overrides (both when none is named); the tenant falls back to the defaults. */
export async function clearCaps(
  redis: AdminRedis,
  prefixes: AdminPrefixes,
  tenantId: string,
  which: readonly CapName[],
): Promise<AdminResult<{ cleared: CapName[]; removed: number }>> {
  const tenant = parseTenantId(tenantId);
  if (!tenant.ok) return tenant;
  const cleared: CapName[] = which.length > 0 ? [...new Set(which)] : ['concurrency', 'rpm'];
  const removed = await redis.del(...cleared.map((n) => overrideKey(prefixes, tenant.value, n)));
  return { ok: true, value: { cleared, removed } };
}

function overrideKey(prefixes: AdminPrefixes, tenantId: string, name: CapName): string {
  const keys = capacityKeys(prefixes);
  return name === 'concurrency' ? keys.concurrencyOverride(tenantId) : keys.rpmOverride(tenantId);
}

/** Every mapped number and its tenant, sorted by number (SCAN, so safe on a busy server). */
export async function listNumbers(
  redis: Pick<Redis, 'scanStream' | 'mget'>,
  prefixes: Pick<AdminPrefixes, 'tenantmapPrefix'>,
): Promise<Array<{ number: string; tenantId: string }>> {
  const prefix = `${prefixes.tenantmapPrefix}:did:`;
  const keys = await scanKeys(redis, `${globEscape(prefix)}*`);
  const tenants = keys.length > 0 ? await redis.mget(...keys) : [];
  return keys
    .map((key, i) => ({ number: key.slice(prefix.length), tenantId: tenants[i] ?? '' }))
    .filter((entry) => entry.tenantId !== '')
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
