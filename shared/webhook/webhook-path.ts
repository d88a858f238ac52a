/** The route Telnyx posts every webhook to, in AWS (API Gateway) and locally alike. */
export const WEBHOOK_PATH = '/webhooks/telnyx';
