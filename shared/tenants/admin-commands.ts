import type { Redis } from 'ioredis';
import * as z from 'zod/mini';
import { getPlan, setPlan, validatePlanText } from '../plans/plan-admin.js';
import { capField, phoneNumberField, tenantIdField } from './admin-fields.js';
import { type CapDefaults, capacityStatus } from './capacity-status.js';
import { importMappings } from './import-mappings.js';
import { liveCalls } from './live-calls.js';
import {
  type AdminPrefixes,
  CAP_NAMES,
  clearCaps,
  listNumbers,
  mapNumber,
  setCaps,
  unmapNumber,
} from './tenant-admin.js';

/** One audited change: what a write did, logged as one `tenant admin` line. */
export interface AdminChange {
  readonly tenant?: string | null | undefined;
  /** The unmasked number; the audit line masks it. */
  readonly number?: string | undefined;
  readonly before: unknown;
  readonly after: unknown;
}

/** What every command runs with: Redis, the contract's settings, and the audit sink. */
export interface AdminContext {
  readonly redis: AdminRedis;
  readonly prefixes: AdminPrefixes;
  /** `TENANTCFG_PREFIX`: where tenant call plans live. */
  readonly tenantcfgPrefix: string;
  /** The stack's default caps, from the deployed configuration (`null` where unknown). */
  readonly defaults: CapDefaults;
  /** `CAPACITY_TTL_SECONDS`, the lease length (`null` where unknown: call ages unknown). */
  readonly leaseSeconds: number | null;
  /** Records one write; called once per key group changed, never for a refused request. */
  readonly audit: (change: AdminChange) => void;
}

/** The Redis commands the admin commands use; none touches an active set or RPM counter. */
export type AdminRedis = Pick<
  Redis,
  | 'get'
  | 'set'
  | 'getdel'
  | 'mget'
  | 'multi'
  | 'scanStream'
  | 'scard'
  | 'zcount'
  | 'zrange'
  | 'time'
  | 'eval'
>;

/** A command: its input schema (strict: a misspelled field is refused) and what it does. */
export interface AdminCommand<S extends z.ZodMiniType = z.ZodMiniType, R = unknown> {
  readonly input: S;
  readonly run: (ctx: AdminContext, input: z.output<S>) => Promise<R>;
}

const command = <S extends z.ZodMiniType, R>(
  input: S,
  run: (ctx: AdminContext, input: z.output<S>) => Promise<R>,
): AdminCommand<S, R> => ({ input, run });

/**
 * A command refused its input after reading Redis (an invalid plan, a stale revision): an
 * answer naming the field and the rule, with nothing written, like a schema refusal.
 */
export class AdminRefusedError extends Error {
  override readonly name = 'AdminRefusedError';
}

/** A plan as a JSON document (object) or its text, which is what is stored and validated. */
const planField = z.union([z.string(), z.record(z.string(), z.unknown())]);
const planText = (plan: z.output<typeof planField>): string =>
  typeof plan === 'string' ? plan : JSON.stringify(plan);
const accepted = <T>(result: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!result.ok) throw new AdminRefusedError(result.error);
  return result.value;
};

const MAX_IMPORT = 10_000;
const mapping = z.strictObject({ number: phoneNumberField, tenant: tenantIdField });
const mappings = z.array(mapping).check(
  z.maxLength(MAX_IMPORT, { error: `must hold at most ${MAX_IMPORT} mappings` }),
  z.superRefine((list, ctx) => {
    const seen = new Map<string, string>();
    list.forEach((m, i) => {
      const other = seen.get(m.number);
      if (other !== undefined && other !== m.tenant) {
        const message = `maps ${m.number} to "${m.tenant}" after mapping it to "${other}"`;
        ctx.addIssue({ code: 'custom', path: [i, 'number'], message, input: m.number });
      }
      seen.set(m.number, m.tenant);
    });
  }),
);

/**
 * Every admin command by name. Adding one is one entry: a zod input schema and a function of
 * `(ctx, input)` whose result is the answer's `result`; writes call `ctx.audit` once each.
 */
export const ADMIN_COMMANDS = {
  map: command(
    z.strictObject({ number: phoneNumberField, tenant: tenantIdField }),
    async (ctx, { number, tenant }) => {
      const done = await mapNumber(ctx.redis, ctx.prefixes, number, tenant);
      ctx.audit({ tenant, number, before: done.previous, after: tenant });
      return done;
    },
  ),
  unmap: command(z.strictObject({ number: phoneNumberField }), async (ctx, { number }) => {
    const done = await unmapNumber(ctx.redis, ctx.prefixes, number);
    ctx.audit({ tenant: done.previous, number, before: done.previous, after: null });
    return done;
  }),
  'set-cap': command(
    z
      .strictObject({
        tenant: tenantIdField,
        concurrency: z.optional(capField),
        rpm: z.optional(capField),
      })
      .check(
        z.refine((i) => i.concurrency !== undefined || i.rpm !== undefined, {
          error: 'concurrency, rpm: give one or both (positive integers)',
        }),
      ),
    async (ctx, { tenant, ...caps }) => {
      const done = await setCaps(ctx.redis, ctx.prefixes, tenant, caps);
      ctx.audit({ tenant, before: done.before, after: done.after });
      return done;
    },
  ),
  'clear-cap': command(
    z.strictObject({
      tenant: tenantIdField,
      concurrency: z.optional(z.boolean()),
      rpm: z.optional(z.boolean()),
    }),
    async (ctx, input) => {
      const named = CAP_NAMES.filter((name) => input[name] === true);
      const done = await clearCaps(ctx.redis, ctx.prefixes, input.tenant, named);
      const after = Object.fromEntries(done.cleared.map((name) => [name, null]));
      ctx.audit({ tenant: input.tenant, before: done.before, after });
      return done;
    },
  ),
  status: command(z.strictObject({ tenant: z.optional(tenantIdField) }), (ctx, { tenant }) =>
    capacityStatus(ctx.redis, ctx.prefixes, ctx.defaults, tenant),
  ),
  calls: command(z.strictObject({ tenant: z.optional(tenantIdField) }), (ctx, { tenant }) =>
    liveCalls(ctx.redis, ctx.prefixes, ctx.leaseSeconds, tenant),
  ),
  list: command(z.strictObject({}), async (ctx) => ({
    numbers: await listNumbers(ctx.redis, ctx.prefixes),
  })),
  import: command(
    z.strictObject({ mappings, dryRun: z.optional(z.boolean()) }),
    async (ctx, input) => {
      const done = await importMappings(ctx.redis, ctx.prefixes, input.mappings, !!input.dryRun);
      if (done.dryRun) return done;
      for (const c of done.changes) {
        ctx.audit({ tenant: c.tenant, number: c.number, before: c.previous, after: c.tenant });
      }
      return done;
    },
  ),
  'config-set': command(
    z.strictObject({
      tenant: tenantIdField,
      plan: planField,
      expectRevision: z.optional(z.int().check(z.nonnegative())),
    }),
    async (ctx, { tenant, plan, expectRevision }) => {
      const options = { expectRevision };
      const done = accepted(
        await setPlan(ctx.redis, ctx.tenantcfgPrefix, tenant, planText(plan), options),
      );
      ctx.audit({ tenant, before: done.previousRevision || null, after: done.revision });
      return done;
    },
  ),
  'config-get': command(z.strictObject({ tenant: tenantIdField }), async (ctx, { tenant }) =>
    accepted(await getPlan(ctx.redis, ctx.tenantcfgPrefix, tenant)),
  ),
  'config-validate': command(
    z.strictObject({ tenant: tenantIdField, plan: planField }),
    async (_ctx, { tenant, plan }) => {
      const valid = accepted(validatePlanText(tenant, planText(plan)));
      return { tenantId: tenant, revision: valid.revision, valid: true };
    },
  ),
} satisfies Record<string, AdminCommand>;

export type AdminCommandName = keyof typeof ADMIN_COMMANDS;

/** Each command's `result`, by name: what the CLI formats. */
export type AdminResults = {
  [K in AdminCommandName]: Awaited<ReturnType<(typeof ADMIN_COMMANDS)[K]['run']>>;
};
