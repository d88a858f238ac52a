/** The contract's DID normalisation: trim, then remove every whitespace character. */
export function normalizeNumber(toNumber: string): string {
  return toNumber.trim().replace(/\s+/g, '');
}
