import { createPublicKey, type KeyObject } from 'node:crypto';
import { splitList } from '../config/parse-env.js';

/** An Ed25519 public key is 32 raw bytes; Telnyx shows it as their base64 (44 characters). */
export const ED25519_PUBLIC_KEY_BYTES = 32;

// DER header of an Ed25519 SubjectPublicKeyInfo: prefixing the raw key makes it importable
// by node:crypto without a PEM round trip.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Splits a comma-separated `TELNYX_PUBLIC_KEY` (several keys during rotation) into its entries. */
export function splitPublicKeyList(value: string): string[] {
  return splitList(value);
}

/** Decodes a base64 raw Ed25519 public key; `undefined` when it is not base64 of 32 bytes. */
export function decodeTelnyxPublicKey(base64: string): Buffer | undefined {
  // Buffer.from(..., 'base64') silently skips invalid characters, so check the alphabet first.
  if (!BASE64.test(base64)) return undefined;
  const raw = Buffer.from(base64, 'base64');
  return raw.length === ED25519_PUBLIC_KEY_BYTES ? raw : undefined;
}

/**
 * Builds `KeyObject`s from base64 raw keys, once per container: parsing a key per request
 * would roughly halve verification throughput. Throws `RangeError` on a key that is not one.
 */
export function importTelnyxPublicKeys(base64Keys: readonly string[]): KeyObject[] {
  if (base64Keys.length === 0) throw new RangeError('at least one Telnyx public key is required');
  return base64Keys.map((base64, index) => {
    const raw = decodeTelnyxPublicKey(base64);
    if (raw === undefined) {
      throw new RangeError(`Telnyx public key #${index + 1} is not base64 of a 32-byte key`);
    }
    const der = Buffer.concat([ED25519_SPKI_PREFIX, raw]);
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  });
}
