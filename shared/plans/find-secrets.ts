/** A value or key that looks like a credential, and where it is. */
export interface SecretFinding {
  readonly path: Array<string | number>;
  readonly rule: string;
}

// Shapes of common credentials. A plan is read by operators and echoed to logs and webhooks,
// so it must never carry one; the finding names the path, never the value.
const SECRET_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must not contain a private key'],
  [/\bKEY[0-9A-F]{32}_[A-Za-z0-9]{16,}/, 'must not contain a Telnyx API key'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'must not contain an AWS access key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, 'must not contain a token (JWT)'],
  [/\b[sr]k_(live|test)_[A-Za-z0-9]{8,}/, 'must not contain an API secret key'],
  [/\bBearer\s+\S{8,}/i, 'must not contain a bearer token'],
  [
    /[?&](token|access_token|api_?key|key|secret|password|sig|signature|auth)=/i,
    'must not carry credentials in its query string',
  ],
];
const SECRET_NAME = /(pass(word)?|secret|token|api_?key|credential|private_?key|auth)/i;

/** Walks a parsed plan and lists every key or string that looks like a secret. */
export function findSecrets(value: unknown, path: Array<string | number> = []): SecretFinding[] {
  if (typeof value === 'string') {
    const hit = SECRET_VALUES.find(([pattern]) => pattern.test(value));
    return hit ? [{ path, rule: hit[1] }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findSecrets(item, [...path, i]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const here = [...path, key];
    const named = SECRET_NAME.test(key) ? [{ path: here, rule: 'must not hold a secret' }] : [];
    return [...named, ...findSecrets(item, here)];
  });
}
