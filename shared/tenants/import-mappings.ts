import type { Redis } from 'ioredis';
import { didKey } from './resolve-tenant.js';
import type { AdminPrefixes } from './tenant-admin.js';

/** One number to map, already validated and normalised. */
export interface Mapping {
  readonly number: string;
  readonly tenant: string;
}

/** A mapping the import changes (or, in a dry run, would change); `previous` null: new. */
export interface MappingChange extends Mapping {
  readonly previous: string | null;
}

export interface ImportOutcome {
  readonly dryRun: boolean;
  readonly changes: MappingChange[];
  readonly unchanged: number;
}

/**
 * Maps many numbers: reads the current tenants, then writes only the mappings that differ, in
 * one transaction, so an import lands whole or not at all. A dry run stops after the read.
 */
export async function importMappings(
  redis: Pick<Redis, 'mget' | 'multi'>,
  prefixes: Pick<AdminPrefixes, 'tenantmapPrefix'>,
  mappings: readonly Mapping[],
  dryRun: boolean,
): Promise<ImportOutcome> {
  const keys = mappings.map((m) => didKey(prefixes.tenantmapPrefix, m.number));
  const current = keys.length > 0 ? await redis.mget(...keys) : [];
  const changes = mappings
    .map((m, i) => ({ ...m, previous: current[i] ?? null }))
    .filter((m) => m.previous !== m.tenant);
  if (!dryRun && changes.length > 0) {
    const tx = redis.multi();
    for (const change of changes)
      tx.set(didKey(prefixes.tenantmapPrefix, change.number), change.tenant);
    const results = await tx.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error('import transaction was aborted');
  }
  return { dryRun, changes, unchanged: mappings.length - changes.length };
}
