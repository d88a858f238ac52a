import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSigningKeys, rawPublicKeyBase64, type SigningKeys } from './webhook-signing.js';

/** The file's JSON shape: the private key as PKCS#8 PEM, the public key as `TELNYX_PUBLIC_KEY`. */
interface DevKeysFile {
  readonly publicKeyBase64: string;
  readonly privateKeyPem: string;
}

/** Default location; `.local/` is git-ignored, so the private key is never committed. */
export const DEV_KEYS_PATH = '.local/dev-keys.json';

/**
 * Loads the development Ed25519 key pair from `path`, creating it on first use. Keeping one
 * pair means the public key in `.local/events/env.json` and in `npm start` stay valid across runs.
 */
export function loadOrCreateDevKeys(path: string = DEV_KEYS_PATH): SigningKeys {
  if (existsSync(path)) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as DevKeysFile;
    const privateKey = createPrivateKey(file.privateKeyPem);
    return { publicKeyBase64: rawPublicKeyBase64(createPublicKey(privateKey)), privateKey };
  }
  const keys = generateSigningKeys();
  const file: DevKeysFile = {
    publicKeyBase64: keys.publicKeyBase64,
    privateKeyPem: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
