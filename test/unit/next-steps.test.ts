import { nextSteps } from '../../local/next-steps.js';

const webhookUrl = 'http://127.0.0.1:3000/webhooks/telnyx';

it('suggests mapping a number and placing simulated calls when Telnyx is simulated', () => {
  const text = nextSteps({ telnyx: 'simulator', webhookUrl });

  expect(text).toContain('npm run tenants -- map +13125550199 acme');
  expect(text).toContain('npm run call -- --to +13125550199');
});

it('suggests a tunnel to the webhook port and a real call, not npm run call, with the real API', () => {
  const text = nextSteps({ telnyx: 'api', webhookUrl });

  expect(text).toContain('cloudflared tunnel --url http://127.0.0.1:3000');
  expect(text).toContain('ngrok http 3000');
  expect(text).toContain("https://<the tunnel's host>/webhooks/telnyx");
  expect(text).toContain('npm run tenants -- map');
  expect(text).not.toContain('npm run call --');
});
