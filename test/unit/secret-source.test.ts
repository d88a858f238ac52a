import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { secretNeedsInvocation, secretSource } from '../../shared/config/secret-source.js';

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

describe('secretSource through the Parameters and Secrets extension', () => {
  let extension: Server;
  let asked: Array<{ secretId: string | null; token: string | undefined }>;
  let answer: { status: number; body: string };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    extension = createServer((req, res) => {
      const secretId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('secretId');
      asked.push({ secretId, token: req.headers['x-aws-parameters-secrets-token'] as string });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
    env = {
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
      AWS_SESSION_TOKEN: 'session-token',
    };
  });
  afterAll(() => new Promise((resolve) => extension.close(resolve)));
  beforeEach(() => {
    asked = [];
    answer = { status: 200, body: JSON.stringify({ SecretString: 'KEY_extension' }) };
  });

  it('reads through the extension with the session token, and keeps the value for its age', async () => {
    const arn = freshArn();
    const source = secretSource(undefined, arn, 60, env);

    expect([await source.get(), await source.get()]).toEqual(['KEY_extension', 'KEY_extension']);
    expect(asked).toEqual([{ secretId: arn, token: 'session-token' }]);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    await source.get();
    expect(asked).toHaveLength(2);
    expect(reads()).toBe(0);
  });

  it('refreshes past the extension: one GetSecretValue, whose value it then keeps', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'KEY_rotated' });
    const source = secretSource(undefined, freshArn(), 3600, env);
    await source.get();

    expect(await source.refresh()).toBe('KEY_rotated');
    expect(await source.get()).toBe('KEY_rotated');
    expect(reads()).toBe(1);
    expect(asked).toHaveLength(1);
  });

  it("fails with the extension's status and message when it cannot answer", async () => {
    answer = { status: 400, body: 'AccessDeniedException' };
    await expect(secretSource(undefined, freshArn(), 60, env).get()).rejects.toThrow(
      /secrets extension answered 400 .*AccessDeniedException/,
    );
  });

  it('tells a secret read at invocation (an ARN, the extension there) from one read at init', () => {
    expect(secretNeedsInvocation(freshArn(), undefined, env)).toBe(true);
    expect(secretNeedsInvocation(freshArn(), 'KEY_plain', env)).toBe(false);
    expect(secretNeedsInvocation(freshArn(), undefined, {})).toBe(false);
    expect(secretNeedsInvocation(undefined, undefined, env)).toBe(false);
  });
});
