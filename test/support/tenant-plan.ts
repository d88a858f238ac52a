/** A tenant plan document (schema version 1) as stored at `tenantcfg:${tenantId}`. */
export function tenantPlan(
  tenantId: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> & { revision: number } {
  return { schemaVersion: 1, tenantId, revision: 1, onAdmit: { type: 'answer' }, ...fields };
}
