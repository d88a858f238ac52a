import * as z from 'zod/mini';
import { parseCidr } from '../webhook/source-allowlist.js';
import { decodeTelnyxPublicKey, splitPublicKeyList } from '../webhook/telnyx-public-keys.js';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS } from '../webhook/verify-signature.js';
import { ENV_NAMES as N } from './env-names.js';
import {
  type Env,
  loadFields,
  positiveIntegerWithDefault,
  requiredString,
  splitList,
} from './parse-env.js';

// Every entry is checked here, at start, so a mistyped key stops the function with a message
// naming the variable rather than failing every webhook with 401. (`zod/mini`'s transform
// context has no `addIssue`; pushing the issue is what classic zod's `addIssue` does.)
const publicKeyList = z.pipe(
  requiredString,
  z.transform((value: string, context) => {
    const addIssue = (message: string) =>
      context.issues.push({ code: 'custom', message, input: context.value });
    const entries = splitPublicKeyList(value);
    if (entries.length === 0) addIssue('is required');
    entries.forEach((entry, index) => {
      if (decodeTelnyxPublicKey(entry) === undefined) {
        addIssue(`entry ${index + 1} is not base64 of a 32-byte Ed25519 public key`);
      }
    });
    return entries;
  }),
);

/** An optional comma-separated list; unset or blank means the check it drives is off. */
const optionalList = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => splitList(value ?? '')),
);

// A mistyped network would silently refuse every webhook, so it stops the function at start.
const cidrList = z.pipe(
  optionalList,
  z.transform((entries: string[], context) => {
    for (const entry of entries) {
      const parsed = parseCidr(entry);
      if (!parsed.ok) context.issues.push({ code: 'custom', message: parsed.error, input: entry });
    }
    return entries;
  }),
);

const ingestFields = {
  telnyxPublicKeys: [N.telnyxPublicKey, publicKeyList],
  queueUrl: [N.queueUrl, requiredString],
  webhookToleranceSeconds: [
    N.webhookToleranceSeconds,
    positiveIntegerWithDefault(DEFAULT_WEBHOOK_TOLERANCE_SECONDS),
  ],
  connectionIds: [N.telnyxConnectionId, optionalList],
  sourceCidrs: [N.telnyxSourceCidrs, cidrList],
} as const;

/** The ingest function's settings. */
export interface IngestConfig {
  /** Base64 raw Ed25519 keys; several during a key rotation. */
  readonly telnyxPublicKeys: readonly string[];
  readonly queueUrl: string;
  readonly webhookToleranceSeconds: number;
  /** The Telnyx connection (application) ids this deployment serves; empty = any. */
  readonly connectionIds: readonly string[];
  /** Networks webhooks may come from; empty = any (the signature still decides). */
  readonly sourceCidrs: readonly string[];
}

/**
 * Reads the ingest function's variables from `env`.
 * Throws one `ConfigError` naming every missing or invalid variable.
 */
export function loadIngestConfig(env: Env = process.env): IngestConfig {
  return loadFields(ingestFields, env);
}
