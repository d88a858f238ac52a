/** What `npm start` knows when it suggests what to do next. */
export interface NextStepsInput {
  /** `simulator`: calls are simulated; `api`: the real Telnyx API drives real calls. */
  readonly telnyx: 'simulator' | 'api';
  /** The local webhook URL, e.g. http://127.0.0.1:3000/webhooks/telnyx. */
  readonly webhookUrl: string;
}

/**
 * The commands `npm start` suggests once it runs, for the mode it runs in: simulated calls
 * with `npm run call`, or, against the real Telnyx API, a tunnel to the webhook URL, the
 * Call Control application's webhook setting, a mapped number and a real phone call.
 */
export function nextSteps({ telnyx, webhookUrl }: NextStepsInput): string {
  if (telnyx === 'simulator') {
    return `Next, in another terminal: npm run tenants -- map +13125550199 acme
                           npm run call -- --to +13125550199`;
  }
  const url = new URL(webhookUrl);
  return `Next (real Telnyx; npm run call needs the simulator, so it refuses in this mode):
  1. expose the webhook port, e.g.  cloudflared tunnel --url ${url.origin}
                               or  ngrok http ${url.port || '80'}
  2. in the Telnyx portal, set your Call Control application's webhook URL to
     https://<the tunnel's host>${url.pathname}  (API v2)
  3. map your Telnyx number:  npm run tenants -- map <your number in E.164> <tenant>
  4. call that number from a phone; each step of the call is printed here`;
}
