import type { AdminResults } from '../shared/tenants/admin-commands.js';
import type { EffectiveCap } from '../shared/tenants/capacity-status.js';
import { textTable } from './text-table.js';

type Formatters = {
  [K in keyof AdminResults]: (result: AdminResults[K], source: string) => string;
};

/**
 * How `npm run tenants` prints each command's result, the same whether it came from Redis
 * directly or from the admin function (`source` says which). A command without a
 * formatter here (one added to the registry only) prints its result as JSON.
 */
const FORMATTERS: Formatters = {
  'config-set': ({ tenantId, revision, previousRevision }) =>
    `${tenantId}: plan revision ${revision} saved (was ${previousRevision || 'none'})`,
  'config-validate': ({ tenantId, revision }) =>
    `a valid plan for ${tenantId}, revision ${revision} (nothing written)`,
  'config-get': ({ tenantId, document, revision, problems }) => {
    if (document === null) return `${tenantId}: no plan (calls are answered as today)`;
    const verdict =
      problems.length === 0
        ? `valid, revision ${revision}`
        : `INVALID (the worker keeps its last valid revision):\n  ${problems.join('\n  ')}`;
    return `${document}\n${tenantId}: ${verdict}`;
  },
  map: ({ number, tenant, previous }) =>
    `mapped ${number} -> ${tenant}${previous && previous !== tenant ? ` (was ${previous})` : ''}`,
  unmap: ({ number, previous }) =>
    previous ? `unmapped ${number} (was ${previous})` : `${number} was not mapped`,
  'set-cap': ({ tenant, after }) =>
    `${tenant}: ${Object.entries(after)
      .map(([name, value]) => `${name} cap ${value}`)
      .join(', ')} (override)`,
  'clear-cap': ({ tenant, cleared, removed }) =>
    `${tenant}: cleared ${cleared.join(' and ')} override (${removed} removed); defaults apply`,
  list: ({ numbers }) =>
    numbers.length > 0
      ? textTable([['NUMBER', 'TENANT'], ...numbers.map((n) => [n.number, n.tenant])])
      : 'no numbers mapped',
  status: ({ serverTime, global, tenants }, source) => {
    const rows = tenants.map((t) => [
      t.tenant,
      t.numbers.join(',') || '-',
      `${t.active} of ${cap(t.concurrencyCap)}`,
      `${t.callsThisMinute} of ${cap(t.rpmCap)}`,
      t.expiredLeases,
    ]);
    const head = [['TENANT', 'NUMBERS', 'ACTIVE CALLS', 'CALLS THIS MINUTE', 'EXPIRED LEASES']];
    const unknown = [
      global.cap,
      ...tenants.flatMap((t) => [t.concurrencyCap.value, t.rpmCap.value]),
    ];
    return [
      `${source}, server time ${serverTime}`,
      `global: ${global.active} active of ${global.cap ?? '? (default unknown)'}, ${global.expiredLeases} expired leases`,
      rows.length > 0 ? textTable([...head, ...rows]) : 'no tenants',
      ...(unknown.includes(null) ? [DEFAULTS_UNKNOWN] : []),
    ].join('\n');
  },
  calls: ({ serverTime, calls }, source) => {
    const rows = calls.map((c) => [
      c.callControlId,
      c.tenant ?? '?',
      c.ageSeconds === null ? '?' : duration(c.ageSeconds),
      `${c.leaseExpiresAt}${c.leaseExpired ? ' (expired)' : ''}`,
    ]);
    const head = [['CALL CONTROL ID', 'TENANT', 'AGE', 'LEASE EXPIRES']];
    return [
      `${source}, server time ${serverTime}`,
      rows.length > 0 ? textTable([...head, ...rows]) : 'no live calls',
    ].join('\n');
  },
  import: ({ dryRun, changes, unchanged }) => {
    const lines = changes.map(
      (c) =>
        `${dryRun ? 'would map' : 'mapped'} ${c.number} -> ${c.tenant}${c.previous ? ` (was ${c.previous})` : ''}`,
    );
    const summary = dryRun
      ? `dry run: ${changes.length} to change, ${unchanged} unchanged; nothing written`
      : `imported: ${changes.length} changed, ${unchanged} unchanged`;
    return [...lines, summary].join('\n');
  },
};

const DEFAULTS_UNKNOWN =
  '? (default unknown): this Redis is not the running npm start and its stack was not named; set ' +
  'GLOBAL_CONCURRENCY_CAP, TENANT_CONCURRENCY_CAP_DEFAULT and TENANT_CALLS_PER_MIN_CAP_DEFAULT to ' +
  "the stack's values, or use --stack";

const cap = ({ value, source }: EffectiveCap) =>
  value === null ? '? (default unknown)' : `${value} (${source})`;

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** The text `npm run tenants` prints for `command`'s `result`. */
export function formatAdminResult(command: string, result: unknown, source: string): string {
  const format = (FORMATTERS as Record<string, (r: unknown, s: string) => string>)[command];
  return format ? format(result, source) : JSON.stringify(result, null, 2);
}
