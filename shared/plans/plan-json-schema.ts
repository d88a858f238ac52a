import * as z from 'zod/mini';
import { tenantPlanSchema } from './plan-schema.js';

/**
 * The plan schema as JSON Schema (draft 2020-12), for editors: generated from the zod schema,
 * so the two cannot drift. Rules only code can check (URL hosts, known time zones, ranges in
 * order, secrets, the key's tenant) are enforced by `config-validate`, not by editors.
 */
export function planJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(tenantPlanSchema, { target: 'draft-2020-12' }),
    $id: 'https://telnyx-call-admission.local/schemas/tenant-plan.schema.json',
    title: 'Tenant call plan (tenantcfg), schema version 1',
  };
}
