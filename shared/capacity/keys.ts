/**
 * Key names. The first five are the Redis contract's, shared with other components,
 * and must never change; the rest are this service's additive keys.
 */
export interface CapacityKeyPrefixes {
  readonly capPrefix: string;
  readonly tenantmapPrefix: string;
}

/** `YYYYMMDDHHmm` of `date` in UTC, zero-padded, as the contract's RPM key uses. */
export function utcMinute(date: Date): string {
  return date.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

export const capacityKeys = ({ capPrefix, tenantmapPrefix }: CapacityKeyPrefixes) => ({
  globalActive: () => `${capPrefix}:global:active`,
  tenantActive: (tenantId: string) => `${capPrefix}:tenant:${tenantId}:active`,
  tenantRpm: (tenantId: string, at: Date) => `${capPrefix}:tenant:${tenantId}:rpm:${utcMinute(at)}`,
  concurrencyOverride: (tenantId: string) =>
    `${tenantmapPrefix}:tenant:${tenantId}:cap:concurrency`,
  rpmOverride: (tenantId: string) => `${tenantmapPrefix}:tenant:${tenantId}:cap:rpm`,
  // Additive: lease expiries (sorted sets scored in Redis server seconds) and per-call
  // records (the tenant while the call holds a slot, '' once it has been released).
  globalLeases: () => `${capPrefix}:global:leases`,
  tenantLeases: (tenantId: string) => `${capPrefix}:tenant:${tenantId}:leases`,
  call: (callControlId: string) => `${capPrefix}:call:${callControlId}`,
  // Held by one reconciler run at a time (its token), so overlapping runs never both act.
  reconcileLock: () => `${capPrefix}:reconciler:lock`,
});

export type CapacityKeys = ReturnType<typeof capacityKeys>;
