import { loadWorkerConfig } from '../../shared/config/worker-config.js';
import { ConfigError } from '../../shared/errors.js';

const redisVars = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  GLOBAL_CONCURRENCY_CAP: '100',
  TENANT_CONCURRENCY_CAP_DEFAULT: '10',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '30',
  CAPACITY_TTL_SECONDS: '7200',
};

describe('loadWorkerConfig', () => {
  it('defaults the speech settings and reads a plain API key', () => {
    const config = loadWorkerConfig({ ...redisVars, TELNYX_API_KEY: 'KEY123' });
    expect(config).toMatchObject({
      telnyxApiKey: 'KEY123',
      speakVoice: 'female',
      speakLanguage: 'en-US',
      telnyxTimeoutMs: 5000,
      capPrefix: 'cap',
    });
  });

  it('re-reads the API key from Secrets Manager after 5 minutes unless told otherwise', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:telnyx-AbCdEf';
    const base = { ...redisVars, TELNYX_API_KEY_SECRET_ARN: arn };
    expect(loadWorkerConfig(base).telnyxApiKeyMaxAgeSeconds).toBe(300);
    expect(
      loadWorkerConfig({ ...base, TELNYX_API_KEY_MAX_AGE_SECONDS: '60' }).telnyxApiKeyMaxAgeSeconds,
    ).toBe(60);
  });

  it('accepts a Secrets Manager ARN instead of the key', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:telnyx-AbCdEf';
    expect(
      loadWorkerConfig({ ...redisVars, TELNYX_API_KEY_SECRET_ARN: arn }).telnyxApiKeySecretArn,
    ).toBe(arn);
  });

  it('names the Redis and the Telnyx problems together in one error', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ ...redisVars, CAPACITY_TTL_SECONDS: '0', TELNYX_TIMEOUT_MS: 'soon' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual([
      'CAPACITY_TTL_SECONDS',
      'TELNYX_TIMEOUT_MS',
      'TELNYX_API_KEY',
    ]);
    expect((error as ConfigError).message).toContain(
      'TELNYX_API_KEY or TELNYX_API_KEY_SECRET_ARN is required',
    );
  });
});
