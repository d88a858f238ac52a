import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The development key pair that signs local webhooks, with the public key as Telnyx shows it. */
export interface DevKeys {
  /** Base64 of the raw 32-byte Ed25519 public key: the value for `TELNYX_PUBLIC_KEY`. */
  readonly publicKeyBase64: string;
  readonly privateKey: KeyObject;
}

/** The file's JSON shape: the private key as PKCS#8 PEM, the public key as `TELNYX_PUBLIC_KEY`. */
interface DevKeysFile {
  readonly publicKeyBase64: string;
  readonly privateKeyPem: string;
}

/** Default location; `.local/` is git-ignored, so the private key is never committed. */
export const DEV_KEYS_PATH = '.local/dev-keys.json';

/**
 * Loads the development Ed25519 key pair from `path`, creating it on first use. Keeping one
 * pair means the public key in `events/env.json` and in `npm start` stay valid across runs.
 */
export function loadOrCreateDevKeys(path: string = DEV_KEYS_PATH): DevKeys {
  if (existsSync(path)) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as DevKeysFile;
    const privateKey = createPrivateKey(file.privateKeyPem);
    return { publicKeyBase64: rawPublicKeyBase64(createPublicKey(privateKey)), privateKey };
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const file: DevKeysFile = {
    publicKeyBase64: rawPublicKeyBase64(publicKey),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return { publicKeyBase64: file.publicKeyBase64, privateKey };
}

// The SPKI DER of an Ed25519 key is a 12-byte header followed by the raw key Telnyx publishes.
function rawPublicKeyBase64(publicKey: KeyObject): string {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
}
