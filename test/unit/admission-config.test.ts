import { loadAdmissionConfig } from '../../shared/config/admission-config.js';
import { ConfigError } from '../../shared/errors.js';

const valid = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  GLOBAL_CONCURRENCY_CAP: '100',
  TENANT_CONCURRENCY_CAP_DEFAULT: '10',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '30',
  CAPACITY_TTL_SECONDS: '7200',
};

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadAdmissionConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAdmissionConfig', () => {
  it('reads the contract variables', () => {
    const env = { ...valid, TENANTMAP_PREFIX: 'tm', CAP_PREFIX: 'c', TENANTCFG_PREFIX: 'cfg' };
    expect(loadAdmissionConfig(env)).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      tenantmapPrefix: 'tm',
      capPrefix: 'c',
      tenantcfgPrefix: 'cfg',
      globalConcurrencyCap: 100,
      tenantConcurrencyCapDefault: 10,
      tenantCallsPerMinCapDefault: 30,
      capacityTtlSeconds: 7200,
      redisCommandTimeoutMs: 1000,
      redisAuthToken: undefined,
      redisAuthTokenSecretArn: undefined,
    });
  });

  it.each([[undefined], [''], ['   ']])(
    'falls back to the default prefixes when they are %p',
    (value) => {
      const config = loadAdmissionConfig({
        ...valid,
        TENANTMAP_PREFIX: value,
        CAP_PREFIX: value,
        TENANTCFG_PREFIX: value,
      });
      expect(config.tenantmapPrefix).toBe('tenantmap');
      expect(config.capPrefix).toBe('cap');
      expect(config.tenantcfgPrefix).toBe('tenantcfg');
    },
  );

  it('names every missing required variable in one error', () => {
    const error = configError({});
    expect(error.variables).toEqual([
      'REDIS_URL',
      'GLOBAL_CONCURRENCY_CAP',
      'TENANT_CONCURRENCY_CAP_DEFAULT',
      'TENANT_CALLS_PER_MIN_CAP_DEFAULT',
      'CAPACITY_TTL_SECONDS',
    ]);
    for (const name of error.variables) expect(error.message).toContain(`${name} is required`);
  });

  it.each([['abc'], ['0'], ['-5'], ['1.5'], ['1e3'], [''], ['9007199254740993']])(
    'rejects %p for every numeric variable, naming each',
    (bad) => {
      const error = configError({
        ...valid,
        GLOBAL_CONCURRENCY_CAP: bad,
        TENANT_CONCURRENCY_CAP_DEFAULT: bad,
        TENANT_CALLS_PER_MIN_CAP_DEFAULT: bad,
        CAPACITY_TTL_SECONDS: bad,
        REDIS_COMMAND_TIMEOUT_MS: bad === '' ? 'x' : bad,
      });
      expect(error.variables).toEqual([
        'GLOBAL_CONCURRENCY_CAP',
        'TENANT_CONCURRENCY_CAP_DEFAULT',
        'TENANT_CALLS_PER_MIN_CAP_DEFAULT',
        'CAPACITY_TTL_SECONDS',
        'REDIS_COMMAND_TIMEOUT_MS',
      ]);
    },
  );

  it('rejects a blank REDIS_URL', () => {
    expect(configError({ ...valid, REDIS_URL: '  ' }).variables).toEqual(['REDIS_URL']);
  });

  it('accepts surrounding whitespace on numbers and reads the optional settings', () => {
    const config = loadAdmissionConfig({
      ...valid,
      GLOBAL_CONCURRENCY_CAP: ' 7 ',
      REDIS_COMMAND_TIMEOUT_MS: '250',
      REDIS_AUTH_TOKEN: 'token',
    });
    expect(config.globalConcurrencyCap).toBe(7);
    expect(config.redisCommandTimeoutMs).toBe(250);
    expect(config.redisAuthToken).toBe('token');
  });
});
