import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveSecret } from '../../shared/config/resolve-secret.js';

const secrets = mockClient(SecretsManagerClient);
const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:telnyx-AbCdEf';

beforeAll(() => {
  process.env.AWS_REGION ??= 'us-east-1';
});
afterEach(() => secrets.reset());

describe('resolveSecret', () => {
  it('uses a plain value without calling Secrets Manager', async () => {
    await expect(resolveSecret('plain', arn)).resolves.toBe('plain');
    expect(secrets.calls()).toHaveLength(0);
  });

  it('fetches the secret by ARN', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: 'KEY_from_secrets' });
    await expect(resolveSecret(undefined, arn)).resolves.toBe('KEY_from_secrets');
  });

  it('refuses a secret without a string value', async () => {
    const other = `${arn}-empty`;
    secrets.on(GetSecretValueCommand, { SecretId: other }).resolves({ SecretString: '' });
    await expect(resolveSecret(undefined, other)).rejects.toThrow(/has no string value/);
  });

  it('returns undefined when neither is configured', async () => {
    await expect(resolveSecret(undefined, undefined)).resolves.toBeUndefined();
  });
});
