/** The contract's DID mapping key. */
export const didKey = (tenantmapPrefix: string, normalized: string): string =>
  `${tenantmapPrefix}:did:${normalized}`;
