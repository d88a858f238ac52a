import { generateKeyPairSync } from 'node:crypto';
import { callEventBody, newCall, postSignedWebhook } from '../../local/webhook-events.js';
import { decodeCallState } from '../../shared/calls/client-state.js';
import { CALLER_MESSAGES } from '../../shared/calls/denials.js';
import { mapNumber } from '../../shared/tenants/tenant-admin.js';
import { startE2ePipeline, steps } from './dev-pipeline-helpers.js';

const prefixes = { tenantmapPrefix: 'tenantmap', capPrefix: 'cap' };
let e2e: Awaited<ReturnType<typeof startE2ePipeline>>;
beforeAll(async () => {
  e2e = await startE2ePipeline();
});
afterAll(() => e2e.stop());

describe('the local pipeline (npm start) end to end', () => {
  it('answers an accepted call, holds its slot while it lasts, and releases it after hangup', async () => {
    await mapNumber(e2e.redis, prefixes, '+13125550101', 'acme');

    const { id, response } = await e2e.call('+1 312 555 0101', 0.4);
    await e2e.reached(id, 'command', /^answer/);
    const heldDuringCall = await e2e.redis.sismember('cap:tenant:acme:active', id);
    const story = await e2e.finished(id);

    expect(response).toEqual({ status: 200, body: '{"ok":true}' });
    expect(heldDuringCall).toBe(1);
    expect(e2e.actions(id)).toEqual(['answer']);
    const answer = e2e.telnyx.commandsFor(id)[0];
    expect(decodeCallState(answer?.body.client_state as string)).toEqual({
      action: 'accept',
      tenantId: 'acme',
    });
    expect(steps(story)).toEqual(
      expect.arrayContaining([
        'webhook: call.initiated received: signature verified, queued',
        'decision: tenant acme: capacity acquired, call accepted',
        'webhook: call.answered received: signature verified, queued',
        'hangup: caller hung up after 0.4s',
        'released: slot released; tenant acme now has 0 active call(s)',
      ]),
    );
    expect(await e2e.redis.sismember('cap:global:active', id)).toBe(0);
  });

  it('denies a call over the tenant cap: the caller hears the message, then it is hung up', async () => {
    await mapNumber(e2e.redis, prefixes, '+13125550102', 'globex');
    const first = await e2e.call('+13125550102', 0.6);
    await e2e.reached(first.id, 'command', /^answer/);

    const second = await e2e.call('+13125550102');
    const story = await e2e.finished(second.id);

    expect(e2e.actions(second.id)).toEqual(['answer', 'speak', 'hangup']);
    expect(e2e.spoken(second.id)).toBe(CALLER_MESSAGES.at_capacity);
    expect(steps(story)).toEqual(
      expect.arrayContaining([
        'decision: tenant globex: capacity denied (tenant_at_capacity)',
        `heard: caller heard "${CALLER_MESSAGES.at_capacity}"`,
        'hangup: call hung up by the application (hangup command)',
        'released: call over; it held no capacity slot',
      ]),
    );
    // The first caller still hangs up on time and gets its slot back.
    await e2e.finished(first.id);
    expect(await e2e.redis.scard('cap:tenant:globex:active')).toBe(0);
  });

  it('tells the caller of an unmapped number that it is not configured, then hangs up', async () => {
    const { id } = await e2e.call('+13125550177');
    const story = await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(e2e.spoken(id)).toBe(CALLER_MESSAGES.not_configured);
    expect(steps(story)).toContain('decision: the dialed number is not mapped to a tenant');
  });

  it('refuses a webhook signed with another key (401) and queues nothing', async () => {
    const call = newCall('+13125550100', '+13125550101');
    const { privateKey } = generateKeyPairSync('ed25519');

    const response = await postSignedWebhook(
      e2e.pipeline.webhookUrl,
      callEventBody('call.initiated', call),
      privateKey,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(response.status).toBe(401);
    expect(e2e.telnyx.commandsFor(call.callControlId)).toEqual([]);
    const story = e2e.pipeline.timeline.get(call.callControlId);
    expect(story && steps(story)).toEqual([
      'problem: call.initiated webhook answered HTTP 401 {"error":"invalid signature"}',
    ]);
  });
});
