import type { SecretSource } from '../config/secret-source.js';
import type { ActionsClient, TelnyxClientSource } from './telnyx-call-control.js';

/**
 * SDK clients keyed by the API key in `apiKey`: a new client only when the key changed, so
 * the connection pool survives every read of an unchanged key.
 */
export function rotatingClientSource(
  apiKey: SecretSource,
  create: (key: string) => ActionsClient,
): TelnyxClientSource {
  let current: { readonly key: string; readonly client: ActionsClient } | undefined;
  const clientFor = (key: string) => {
    if (current?.key !== key) current = { key, client: create(key) };
    return current.client;
  };
  return {
    current: async () => clientFor(await apiKey.get()),
    refreshed: async () => clientFor(await apiKey.refresh()),
  };
}
