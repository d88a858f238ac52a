import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { secretSource } from '../../shared/config/secret-source.js';

const secrets = mockClient(SecretsManagerClient);
let arnCount = 0;
/** A fresh ARN per test: Powertools caches values per secret name for the whole process. */
const freshArn = () => `arn:aws:secretsmanager:us-east-1:123456789012:secret:key-${++arnCount}`;
const reads = () => secrets.commandCalls(GetSecretValueCommand).length;

beforeAll(() => {
  process.env.AWS_REGION ??= 'us-east-1';
});
afterEach(() => {
  secrets.reset();
  jest.restoreAllMocks();
});

describe('secretSource', () => {
  it('reads a Secrets Manager value once while it is younger than its maximum age', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'KEY_one' });
    const source = secretSource(undefined, freshArn(), 60);

    expect([await source.get(), await source.get()]).toEqual(['KEY_one', 'KEY_one']);
    expect(reads()).toBe(1);
  });

  it('reads the value again once it is older than its maximum age, so a rotation shows', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'KEY_old' })
      .resolves({ SecretString: 'KEY_new' });
    const source = secretSource(undefined, freshArn(), 60);
    const first = await source.get();
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);

    const later = await source.get();

    expect([first, later]).toEqual(['KEY_old', 'KEY_new']);
    expect(reads()).toBe(2);
  });

  it('reads the value again at once when asked to refresh', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'KEY_old' })
      .resolves({ SecretString: 'KEY_new' });
    const source = secretSource(undefined, freshArn(), 3600);
    await source.get();

    expect(await source.refresh()).toBe('KEY_new');
    expect(await source.get()).toBe('KEY_new');
    expect(reads()).toBe(2);
  });

  it('never calls Secrets Manager for a plain value', async () => {
    const source = secretSource('KEY_plain', freshArn());
    expect([await source.get(), await source.refresh()]).toEqual(['KEY_plain', 'KEY_plain']);
    expect(reads()).toBe(0);
  });
});
