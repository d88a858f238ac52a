import { type KeyObject, verify } from 'node:crypto';
import { importTelnyxPublicKeys } from './telnyx-public-keys.js';

/** The headers Telnyx signs webhooks with (matched in any case). */
export const SIGNATURE_HEADERS = {
  signature: 'telnyx-signature-ed25519',
  timestamp: 'telnyx-timestamp',
} as const;

/** How far a webhook's timestamp may be from now, either way, as the official Telnyx SDKs allow. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Why a webhook's signature was not accepted. */
export const SIGNATURE_FAILURES = {
  missingHeaders: 'missing_signature_headers',
  malformedTimestamp: 'malformed_timestamp',
  timestampOutOfTolerance: 'timestamp_out_of_tolerance',
  malformedSignature: 'malformed_signature',
  signatureMismatch: 'signature_mismatch',
} as const;
/** One of `SIGNATURE_FAILURES`. */
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[keyof typeof SIGNATURE_FAILURES];

/** The outcome of a signature check. */
export type SignatureVerification =
  | { readonly valid: true }
  | { readonly valid: false; readonly reason: SignatureFailure };

/** Request headers as API Gateway hands them over. */
export type RequestHeaders = Readonly<Record<string, string | undefined>>;

/** Checks one request's signature against the raw body bytes. */
export type VerifySignature = (headers: RequestHeaders, rawBody: Buffer) => SignatureVerification;

/** Options for `createSignatureVerifier`. */
export interface SignatureVerifierOptions {
  /** Base64 raw Ed25519 keys as Telnyx shows them; any one of them may have signed (rotation). */
  readonly publicKeys: readonly string[];
  readonly toleranceSeconds?: number;
  /** Milliseconds since the epoch; injectable so tests can move the clock. */
  readonly now?: () => number;
}

const defaults = { toleranceSeconds: DEFAULT_WEBHOOK_TOLERANCE_SECONDS, now: Date.now };
const ED25519_SIGNATURE_BYTES = 64;
const DIGITS = /^\d{1,12}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Builds the key objects once and returns a verifier for `${telnyx-timestamp}|${rawBody}`.
 * The body must be the bytes as received: re-serialised JSON would not match the signature.
 */
export function createSignatureVerifier(options: SignatureVerifierOptions): VerifySignature {
  const { publicKeys, toleranceSeconds, now } = { ...defaults, ...options };
  const keys = importTelnyxPublicKeys(publicKeys);
  return (headers, rawBody) => {
    const signature = headerValue(headers, SIGNATURE_HEADERS.signature);
    const timestamp = headerValue(headers, SIGNATURE_HEADERS.timestamp);
    if (!signature || !timestamp) return rejected(SIGNATURE_FAILURES.missingHeaders);
    if (!DIGITS.test(timestamp)) return rejected(SIGNATURE_FAILURES.malformedTimestamp);
    // Both directions: a future timestamp is as suspicious as a replayed old one.
    const skew = Math.abs(Math.floor(now() / 1000) - Number(timestamp));
    if (skew > toleranceSeconds) return rejected(SIGNATURE_FAILURES.timestampOutOfTolerance);
    const signatureBytes = decodeSignature(signature);
    if (!signatureBytes) return rejected(SIGNATURE_FAILURES.malformedSignature);
    const signed = Buffer.concat([Buffer.from(`${timestamp}|`), rawBody]);
    return anyKeyVerifies(keys, signed, signatureBytes)
      ? { valid: true }
      : rejected(SIGNATURE_FAILURES.signatureMismatch);
  };
}

/** Reads a header by name in any case; API Gateway lower-cases HTTP API headers, so try that first. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function anyKeyVerifies(keys: readonly KeyObject[], signed: Buffer, signature: Buffer): boolean {
  return keys.some((key) => verify(null, signed, key, signature));
}

function decodeSignature(value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === ED25519_SIGNATURE_BYTES ? bytes : undefined;
}

function rejected(reason: SignatureFailure): SignatureVerification {
  return { valid: false, reason };
}
