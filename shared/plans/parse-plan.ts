import { findSecrets } from './find-secrets.js';
import {
  MAX_PLAN_BYTES,
  PLAN_SCHEMA_VERSION,
  type TenantPlan,
  tenantPlanSchema,
} from './plan-schema.js';

/** One broken rule: where (`onAdmit.to`, `(document)` for the whole) and which rule. */
export interface PlanProblem {
  readonly path: string;
  readonly rule: string;
}

/** A document read and checked: the plan, or every problem and the revision it claimed. */
export type PlanParse =
  | { readonly ok: true; readonly plan: TenantPlan }
  | {
      readonly ok: false;
      readonly revision: number | undefined;
      readonly problems: readonly PlanProblem[];
    };

const WHOLE = '(document)';

/**
 * Checks a plan document as stored (JSON text) for the tenant whose key holds it: size, JSON,
 * schema version, every field rule, no secrets anywhere, and `tenantId` equal to the key's tenant.
 */
export function parsePlan(raw: string, keyTenantId: string): PlanParse {
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_PLAN_BYTES)
    return refused(undefined, WHOLE, `must be at most ${MAX_PLAN_BYTES} bytes (is ${bytes})`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return refused(undefined, WHOLE, 'must be valid JSON');
  }
  const revision = claimedRevision(json);
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof json === 'object' && json !== null && version !== PLAN_SCHEMA_VERSION)
    return refused(
      revision,
      'schemaVersion',
      `must be ${PLAN_SCHEMA_VERSION} (the version this service reads)`,
    );
  const result = tenantPlanSchema.safeParse(json);
  const problems: PlanProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        path: issue.path.length > 0 ? issue.path.map(String).join('.') : WHOLE,
        rule: issue.message,
      }));
  for (const found of findSecrets(json))
    problems.push({ path: found.path.join('.'), rule: found.rule });
  if (result.success && result.data.tenantId !== keyTenantId)
    problems.push({ path: 'tenantId', rule: `must equal the key's tenant (${keyTenantId})` });
  if (result.success && problems.length === 0) return { ok: true, plan: result.data };
  return { ok: false, revision, problems };
}

/** `onAdmit.to: must be E.164 or a sip: URI`, one line per problem. */
export function describeProblems(problems: readonly PlanProblem[]): string[] {
  return problems.map((p) => `${p.path}: ${p.rule}`);
}

function refused(revision: number | undefined, path: string, rule: string): PlanParse {
  return { ok: false, revision, problems: [{ path, rule }] };
}

/** The revision a broken document claims, for the warning line (never any other value). */
function claimedRevision(json: unknown): number | undefined {
  const revision = (json as { revision?: unknown } | null)?.revision;
  return typeof revision === 'number' && Number.isSafeInteger(revision) ? revision : undefined;
}
