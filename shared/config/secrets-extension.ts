import { request } from 'node:http';

/** Set by the AWS Parameters and Secrets Lambda extension's layer (CDK `paramsAndSecrets`). */
export const SECRETS_EXTENSION_PORT_ENV = 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT';

/** The extension's port when the function runs with it, else undefined (local runs). */
export function secretsExtensionPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const port = Number(env[SECRETS_EXTENSION_PORT_ENV]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * Reads a Secrets Manager secret through the Parameters and Secrets extension on localhost:
 * the extension makes the GetSecretValue call and caches the value, so the function bundles no
 * AWS SDK client for it. The extension answers only during an invocation, never during init.
 * Throws with the extension's status and message when it cannot answer.
 */
export function readSecretFromExtension(
  secretArn: string,
  options: { readonly port: number; readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv },
): Promise<string> {
  const env = options.env ?? process.env;
  const path = `/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: 'localhost',
        port: options.port,
        path,
        method: 'GET',
        // The extension checks the caller is this function: its session token is the proof.
        headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(
              new Error(
                `secrets extension answered ${res.statusCode} for ${secretArn}: ${body.slice(0, 200)}`,
              ),
            );
            return;
          }
          try {
            const { SecretString } = JSON.parse(body) as { SecretString?: unknown };
            if (typeof SecretString !== 'string' || SecretString === '') {
              reject(new Error(`secret ${secretArn} has no string value`));
            } else resolve(SecretString);
          } catch {
            reject(new Error(`secrets extension sent a reply that is not JSON for ${secretArn}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`secrets extension timed out for ${secretArn}`)));
    req.on('error', reject);
    req.end();
  });
}
