import { signedApiRequest } from '../../local/lambda-events.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { generateSigningKeys, signWebhook } from '../../local/webhook-signing.js';
import {
  createSignatureVerifier,
  SIGNATURE_FAILURES,
} from '../../shared/webhook/verify-signature.js';

const NOW_SECONDS = 1_750_000_000;
const clock = () => NOW_SECONDS * 1000 + 250;
const keys = generateSigningKeys();
const verify = createSignatureVerifier({ publicKeys: [keys.publicKeyBase64], now: clock });

/** Verifies an API Gateway event the way ingest does: over the decoded raw body bytes. */
function check(
  request: ReturnType<typeof signedApiRequest>,
  verifier = verify,
): ReturnType<typeof verify> {
  const raw = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  return verifier(request.headers, raw);
}

const body = () => JSON.stringify(telnyxEvent('call.initiated'));

describe('webhook signature verification', () => {
  it('accepts a body signed with the configured key', () => {
    expect(check(signedApiRequest(body(), { keys, timestamp: NOW_SECONDS }))).toEqual({
      valid: true,
    });
  });

  it('verifies a base64-encoded body over its decoded bytes', () => {
    const request = signedApiRequest(body(), { keys, timestamp: NOW_SECONDS, base64: true });
    expect(request.isBase64Encoded).toBe(true);
    expect(check(request)).toEqual({ valid: true });
  });

  it('verifies the exact bytes, including whitespace and non-ASCII text', () => {
    const text = '{ "data" : {"payload": {"caller_id_name": "Zoë Ångström"}} }\n';
    expect(check(signedApiRequest(text, { keys, timestamp: NOW_SECONDS, base64: true }))).toEqual({
      valid: true,
    });
    expect(check(signedApiRequest(text, { keys, timestamp: NOW_SECONDS }))).toEqual({
      valid: true,
    });
  });

  it.each(['upper', 'mixed'] as const)('matches %s-case header names', (headerCase) => {
    const request = signedApiRequest(body(), { keys, timestamp: NOW_SECONDS, headerCase });
    expect(Object.keys(request.headers)).not.toContain('telnyx-timestamp');
    expect(check(request)).toEqual({ valid: true });
  });

  it('rejects a body changed after signing', () => {
    const request = signedApiRequest(body(), { keys, timestamp: NOW_SECONDS });
    request.body = request.body?.replace('+13125550199', '+13125550198');
    expect(check(request)).toEqual({
      valid: false,
      reason: SIGNATURE_FAILURES.signatureMismatch,
    });
  });

  it('rejects a timestamp changed after signing', () => {
    const text = body();
    const request = signedApiRequest(text, {
      keys,
      timestamp: NOW_SECONDS,
      headers: { 'telnyx-timestamp': String(NOW_SECONDS - 1) },
    });
    expect(check(request)).toEqual({ valid: false, reason: SIGNATURE_FAILURES.signatureMismatch });
  });

  it.each([
    ['just within the past tolerance', NOW_SECONDS - 300, true],
    ['just beyond the past tolerance', NOW_SECONDS - 301, false],
    ['just within the future tolerance', NOW_SECONDS + 300, true],
    ['just beyond the future tolerance', NOW_SECONDS + 301, false],
  ])('judges a timestamp %s', (_label, timestamp, valid) => {
    const result = check(signedApiRequest(body(), { keys, timestamp }));
    expect(result).toEqual(
      valid
        ? { valid: true }
        : { valid: false, reason: SIGNATURE_FAILURES.timestampOutOfTolerance },
    );
  });

  it('honours a configured tolerance', () => {
    const strict = createSignatureVerifier({
      publicKeys: [keys.publicKeyBase64],
      toleranceSeconds: 10,
      now: clock,
    });
    expect(
      check(signedApiRequest(body(), { keys, timestamp: NOW_SECONDS - 10 }), strict).valid,
    ).toBe(true);
    expect(check(signedApiRequest(body(), { keys, timestamp: NOW_SECONDS - 11 }), strict)).toEqual({
      valid: false,
      reason: SIGNATURE_FAILURES.timestampOutOfTolerance,
    });
  });

  it('rejects a body signed with another key', () => {
    const stranger = generateSigningKeys();
    expect(check(signedApiRequest(body(), { keys: stranger, timestamp: NOW_SECONDS }))).toEqual({
      valid: false,
      reason: SIGNATURE_FAILURES.signatureMismatch,
    });
  });

  it('accepts either key while two are configured for a rotation', () => {
    const next = generateSigningKeys();
    const rotating = createSignatureVerifier({
      publicKeys: [keys.publicKeyBase64, next.publicKeyBase64],
      now: clock,
    });
    for (const signer of [keys, next]) {
      expect(
        check(signedApiRequest(body(), { keys: signer, timestamp: NOW_SECONDS }), rotating),
      ).toEqual({ valid: true });
    }
    const stranger = generateSigningKeys();
    expect(
      check(signedApiRequest(body(), { keys: stranger, timestamp: NOW_SECONDS }), rotating).valid,
    ).toBe(false);
  });

  it.each([
    ['no signature headers', {}],
    ['no timestamp', { 'telnyx-signature-ed25519': 'AAAA' }],
    [
      'an empty signature',
      { 'telnyx-signature-ed25519': '', 'telnyx-timestamp': `${NOW_SECONDS}` },
    ],
  ])('rejects a request with %s', (_label, headers) => {
    expect(check(signedApiRequest(body(), { headers }))).toEqual({
      valid: false,
      reason: SIGNATURE_FAILURES.missingHeaders,
    });
  });

  it.each([
    ['not base64', 'not a signature!'],
    ['the wrong length', Buffer.alloc(63).toString('base64')],
  ])('rejects a signature that is %s', (_label, signature) => {
    const request = signedApiRequest(body(), {
      keys,
      timestamp: NOW_SECONDS,
      headers: { 'telnyx-signature-ed25519': signature },
    });
    expect(check(request)).toEqual({ valid: false, reason: SIGNATURE_FAILURES.malformedSignature });
  });

  it.each(['soon', '-5', '1750000000.5', ' 1750000000'])(
    'rejects the non-numeric timestamp %j',
    (timestamp) => {
      const signature = signWebhook(keys, timestamp, body());
      const request = signedApiRequest(body(), {
        headers: { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp },
      });
      expect(check(request)).toEqual({
        valid: false,
        reason: SIGNATURE_FAILURES.malformedTimestamp,
      });
    },
  );

  it('refuses to start with a key that is not a raw 32-byte Ed25519 key', () => {
    expect(() => createSignatureVerifier({ publicKeys: ['c2hvcnQ='] })).toThrow(RangeError);
    expect(() => createSignatureVerifier({ publicKeys: [] })).toThrow(RangeError);
  });
});
