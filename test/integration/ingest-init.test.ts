import { ConfigError } from '../../shared/errors.js';

// The handler reads its configuration at import, as Lambda's init phase does: a bad one must
// stop the function there, naming every variable at fault, and never reach a webhook.
it('fails at import with one ConfigError naming each bad variable', async () => {
  process.env.TELNYX_PUBLIC_KEY = 'not-a-key';
  delete process.env.QUEUE_URL;
  process.env.WEBHOOK_TOLERANCE_SECONDS = '0';

  const loading = import('../../functions/ingest/handler.js');

  await expect(loading).rejects.toBeInstanceOf(ConfigError);
  await expect(loading).rejects.toMatchObject({
    variables: ['TELNYX_PUBLIC_KEY', 'QUEUE_URL', 'WEBHOOK_TOLERANCE_SECONDS'],
  });
});
