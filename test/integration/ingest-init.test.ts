import { setEnv } from '../../local/set-env.js';
import { ConfigError } from '../../shared/errors.js';

// The handler reads its configuration at import, as Lambda's init phase does: a bad one must
// stop the function there, naming every variable at fault, and never reach a webhook.
it('fails at import with one ConfigError naming each bad variable', async () => {
  const restoreEnv = setEnv({
    TELNYX_PUBLIC_KEY: 'not-a-key',
    QUEUE_URL: undefined,
    WEBHOOK_TOLERANCE_SECONDS: '0',
  });
  try {
    const loading = import('../../functions/ingest/handler.js');

    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    await expect(loading).rejects.toMatchObject({
      variables: ['TELNYX_PUBLIC_KEY', 'QUEUE_URL', 'WEBHOOK_TOLERANCE_SECONDS'],
    });
  } finally {
    restoreEnv();
  }
});
