import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { SIGNATURE_HEADERS } from '../shared/webhook/verify-signature.js';

/** An Ed25519 key pair that signs webhooks, with the public key as Telnyx shows it. */
export interface SigningKeys {
  /** Base64 of the raw 32-byte public key: the value `TELNYX_PUBLIC_KEY` holds. */
  readonly publicKeyBase64: string;
  readonly privateKey: KeyObject;
}

/** Generates a fresh Ed25519 key pair, standing in for a Telnyx account's signing key. */
export function generateSigningKeys(): SigningKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKeyBase64: rawPublicKeyBase64(publicKey), privateKey };
}

/** The public key as Telnyx publishes it: base64 of the raw 32 bytes. */
export function rawPublicKeyBase64(publicKey: KeyObject): string {
  // The SPKI DER of an Ed25519 key is a 12-byte header followed by the raw key.
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
}

/** Signs `${timestamp}|${body}` as Telnyx does; returns the base64 `telnyx-signature-ed25519`. */
export function signWebhook(
  keys: Pick<SigningKeys, 'privateKey'>,
  timestamp: number | string,
  body: string | Buffer,
): string {
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`), Buffer.from(body)]);
  return sign(null, signed, keys.privateKey).toString('base64');
}

/** The headers Telnyx sends with a webhook: the signature of `body` and its `timestamp`. */
export function signatureHeaders(
  keys: Pick<SigningKeys, 'privateKey'>,
  timestamp: number | string,
  body: string | Buffer,
): Record<string, string> {
  return {
    [SIGNATURE_HEADERS.signature]: signWebhook(keys, timestamp, body),
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
  };
}

/** The current Unix time in whole seconds, the unit of `telnyx-timestamp`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
