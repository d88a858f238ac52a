import { generateSigningKeys } from '../../local/webhook-signing.js';
import { loadIngestConfig } from '../../shared/config/ingest-config.js';
import { ConfigError } from '../../shared/errors.js';

const key = generateSigningKeys().publicKeyBase64;
const next = generateSigningKeys().publicKeyBase64;
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/call-events.fifo';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadIngestConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIngestConfig', () => {
  it('reads the key, the queue and the default tolerance', () => {
    expect(loadIngestConfig({ TELNYX_PUBLIC_KEY: key, QUEUE_URL })).toEqual({
      telnyxPublicKeys: [key],
      queueUrl: QUEUE_URL,
      webhookToleranceSeconds: 300,
      connectionIds: [],
      sourceCidrs: [],
    });
  });

  it('reads the optional connection ids and source networks as comma-separated lists', () => {
    const config = loadIngestConfig({
      TELNYX_PUBLIC_KEY: key,
      QUEUE_URL,
      TELNYX_CONNECTION_ID: ' 1494404757140276705, 2,',
      TELNYX_SOURCE_CIDRS: '192.76.120.0/24, 2001:db8::/32,198.51.100.7',
    });
    expect(config.connectionIds).toEqual(['1494404757140276705', '2']);
    expect(config.sourceCidrs).toEqual(['192.76.120.0/24', '2001:db8::/32', '198.51.100.7']);
  });

  it.each(['192.76.120.0/33', 'example.com', '2001:db8::/129', '10.0.0.0/8/8', '10.0.0.0/x'])(
    'rejects the source network %j',
    (value) => {
      const error = configError({ TELNYX_PUBLIC_KEY: key, QUEUE_URL, TELNYX_SOURCE_CIDRS: value });
      expect(error.variables).toEqual(['TELNYX_SOURCE_CIDRS']);
    },
  );

  it('reads several comma-separated keys for a rotation', () => {
    const config = loadIngestConfig({ TELNYX_PUBLIC_KEY: ` ${key} , ${next},`, QUEUE_URL });
    expect(config.telnyxPublicKeys).toEqual([key, next]);
  });

  it('reads a configured tolerance', () => {
    const config = loadIngestConfig({
      TELNYX_PUBLIC_KEY: key,
      QUEUE_URL,
      WEBHOOK_TOLERANCE_SECONDS: '60',
    });
    expect(config.webhookToleranceSeconds).toBe(60);
  });

  it('names every missing variable in one error', () => {
    const error = configError({});
    expect(error.variables).toEqual(['TELNYX_PUBLIC_KEY', 'QUEUE_URL']);
  });

  it.each([
    ['a key of the wrong length', Buffer.alloc(31).toString('base64')],
    ['a PEM key', '-----BEGIN PUBLIC KEY-----'],
    ['only commas', ',,'],
    ['a good key next to a bad one', `${key},not-a-key`],
  ])('rejects %s', (_label, value) => {
    const error = configError({ TELNYX_PUBLIC_KEY: value, QUEUE_URL });
    expect(error.variables).toEqual(['TELNYX_PUBLIC_KEY']);
  });

  it.each(['0', '-1', '2.5', 'five'])('rejects the tolerance %j', (value) => {
    const error = configError({
      TELNYX_PUBLIC_KEY: key,
      QUEUE_URL,
      WEBHOOK_TOLERANCE_SECONDS: value,
    });
    expect(error.variables).toEqual(['WEBHOOK_TOLERANCE_SECONDS']);
  });

  it('never puts the key itself in the error message', () => {
    const bad = `${key.slice(0, 40)}AA`;
    const error = configError({ TELNYX_PUBLIC_KEY: `${key},${bad}`, QUEUE_URL: '' });
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain(bad);
    expect(error.variables).toEqual(['TELNYX_PUBLIC_KEY', 'QUEUE_URL']);
  });
});
