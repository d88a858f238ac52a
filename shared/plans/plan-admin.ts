import type { Redis } from 'ioredis';
import { redisScript } from '../capacity/scripts.js';
import { describeIssues, tenantIdField } from '../tenants/admin-fields.js';
import { describeProblems, parsePlan } from './parse-plan.js';
import { PINNED_PLAN_TTL_SECONDS, tenantPlanKey } from './plan-keys.js';
import type { TenantPlan } from './plan-schema.js';

/** A command's answer: its value, or why the input was refused (nothing written). */
export type AdminResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** The same tenant id rule as every other admin command (admin-fields.ts). */
function parseTenantId(input: string): AdminResult<string> {
  const result = tenantIdField.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: `tenant: ${describeIssues(result.error)}` };
}

/** The Redis commands the plan admin uses; tests may pass a real client or a fake. */
export type PlanAdminRedis = Pick<Redis, 'get' | 'eval'>;

/** What `config-set` wrote. */
export interface PlanWritten {
  readonly tenantId: string;
  readonly revision: number;
  /** The stored revision it replaced (0: there was no plan). */
  readonly previousRevision: number;
}

/** What `config-get` found: the stored text, and whether the worker would use it. */
export interface PlanFound {
  readonly tenantId: string;
  readonly document: string | null;
  readonly revision: number | null;
  readonly problems: readonly string[];
}

/**
 * set_if_unchanged: writes the plan only if the key still holds what was read, so two
 * operators saving at once cannot both win (the second is told to read again). With it, the
 * plan's pinned copy `${key}:pinned:${sha1}` (kept while current), and the replaced plan's
 * copy is given ARGV[4] seconds more: calls admitted under it still read it.
 *
 * KEYS[1]  the plan key `${TENANTCFG_PREFIX}:${tenantId}`
 * ARGV[1]  '1' when the key was missing when read, '0' when it held ARGV[2]
 * ARGV[2]  the document read ('' when missing)
 * ARGV[3]  the new document
 * ARGV[4]  lifetime (s) of the replaced plan's pinned copy
 * Returns  1 written, 0 the key changed since it was read (nothing written)
 */
const SET_IF_UNCHANGED_LUA = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
local pinned = KEYS[1] .. ':pinned:'
if current then
  redis.call('SET', pinned .. redis.sha1hex(current), current, 'EX', tonumber(ARGV[4]))
end
redis.call('SET', pinned .. redis.sha1hex(ARGV[3]), ARGV[3])
return 1
`;
const SET_IF_UNCHANGED = redisScript(
  SET_IF_UNCHANGED_LUA,
  ['planKey'],
  ['wasMissing', 'expected', 'document', 'replacedPinnedTtlSeconds'],
);

const refuse = (error: string) => ({ ok: false, error }) as const;

/**
 * Checks a plan file as `config-set` would write it, without writing. The file's `revision`
 * may be left out (config-set assigns it); every problem is listed as `path: rule`.
 */
export function validatePlanText(tenantId: string, text: string): AdminResult<TenantPlan> {
  const tenant = parseTenantId(tenantId);
  if (!tenant.ok) return tenant;
  const input = parseObject(text);
  if (!input.ok) return input;
  return checked(tenant.value, { ...input.value, revision: input.value.revision ?? 1 });
}

/**
 * Validates and writes a tenant's plan with `revision` set to the stored one plus one.
 * `expectRevision` makes it a compare-and-set: refused unless that revision is stored.
 */
export async function setPlan(
  redis: PlanAdminRedis,
  tenantcfgPrefix: string,
  tenantId: string,
  text: string,
  options: { readonly expectRevision?: number | undefined } = {},
): Promise<AdminResult<PlanWritten>> {
  const tenant = parseTenantId(tenantId);
  if (!tenant.ok) return tenant;
  const input = parseObject(text);
  if (!input.ok) return input;
  const key = tenantPlanKey(tenantcfgPrefix, tenant.value);
  const current = await redis.get(key);
  const stored = current === null ? 0 : (storedRevision(current) ?? 0);
  if (options.expectRevision !== undefined && options.expectRevision !== stored)
    return refuse(`revision conflict: expected ${options.expectRevision}, stored ${stored}`);
  const plan = checked(tenant.value, { ...input.value, revision: stored + 1 });
  if (!plan.ok) return plan;
  const written = await redis.eval(
    SET_IF_UNCHANGED.lua,
    SET_IF_UNCHANGED.numberOfKeys,
    ...SET_IF_UNCHANGED.arguments({
      planKey: key,
      wasMissing: current === null ? '1' : '0',
      expected: current ?? '',
      document: JSON.stringify(plan.value),
      replacedPinnedTtlSeconds: String(PINNED_PLAN_TTL_SECONDS),
    }),
  );
  if (written !== 1)
    return refuse(`revision conflict: the plan changed while saving (was ${stored}); retry`);
  return {
    ok: true,
    value: { tenantId: tenant.value, revision: stored + 1, previousRevision: stored },
  };
}

/** Reads a tenant's stored plan and says whether the worker would use it. */
export async function getPlan(
  redis: Pick<Redis, 'get'>,
  tenantcfgPrefix: string,
  tenantId: string,
): Promise<AdminResult<PlanFound>> {
  const tenant = parseTenantId(tenantId);
  if (!tenant.ok) return tenant;
  const document = await redis.get(tenantPlanKey(tenantcfgPrefix, tenant.value));
  const parsed = document === null ? null : parsePlan(document, tenant.value);
  return {
    ok: true,
    value: {
      tenantId: tenant.value,
      document,
      revision: parsed?.ok ? parsed.plan.revision : (parsed?.revision ?? null),
      problems: parsed && !parsed.ok ? describeProblems(parsed.problems) : [],
    },
  };
}

function checked(tenantId: string, doc: Record<string, unknown>): AdminResult<TenantPlan> {
  const parsed = parsePlan(JSON.stringify(doc), tenantId);
  if (parsed.ok) return { ok: true, value: parsed.plan };
  return refuse(
    `invalid plan for ${tenantId}:\n  ${describeProblems(parsed.problems).join('\n  ')}`,
  );
}

function parseObject(text: string): AdminResult<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return { ok: true, value: value as Record<string, unknown> };
  } catch {
    // reported below
  }
  return refuse('invalid plan: (document): must be a JSON object');
}

function storedRevision(raw: string): number | undefined {
  try {
    const revision = (JSON.parse(raw) as { revision?: unknown }).revision;
    return typeof revision === 'number' && Number.isSafeInteger(revision) ? revision : undefined;
  } catch {
    return undefined;
  }
}
