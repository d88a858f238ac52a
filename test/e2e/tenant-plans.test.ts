import { decodeCallState } from '../../shared/calls/client-state.js';
import { mapNumber } from '../../shared/tenants/tenant-admin.js';
import { tenantPlan } from '../support/tenant-plan.js';
import { startE2ePipeline, steps } from './dev-pipeline-helpers.js';

const prefixes = { tenantmapPrefix: 'tenantmap', capPrefix: 'cap' };
let e2e: Awaited<ReturnType<typeof startE2ePipeline>>;
let nextNumber = 200;
beforeAll(async () => {
  e2e = await startE2ePipeline();
});
afterAll(() => e2e.stop());

/** Maps a fresh number to `tenant`, stores its plan, and returns the number. */
async function tenantWithPlan(tenant: string, fields: Record<string, unknown>): Promise<string> {
  nextNumber += 1;
  const did = `+1312555${nextNumber}`;
  await mapNumber(e2e.redis, prefixes, did, tenant);
  await e2e.redis.set(`tenantcfg:${tenant}`, JSON.stringify(tenantPlan(tenant, fields)));
  return did;
}

const commandOf = (id: string, action: string) =>
  e2e.telnyx.commandsFor(id).find((c) => c.action === action)?.body;

describe('tenant plans end to end through the Telnyx simulator', () => {
  it('answers with one Telnyx request under an explicit answer plan', async () => {
    const did = await tenantWithPlan('plan-answer', { onAdmit: { type: 'answer' }, revision: 4 });

    const { id } = await e2e.call(did, 0.2);
    const story = await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer']);
    expect(decodeCallState(commandOf(id, 'answer')?.client_state as string)).toMatchObject({
      action: 'accept',
      tenantId: 'plan-answer',
      plan: { revision: 4 },
    });
    expect(steps(story)).toContain(
      'decision: tenant plan-answer: capacity acquired, call accepted (plan revision 4, onAdmit answer)',
    );
  });

  it('plays a text greeting after the answer, then leaves the call to the tenant', async () => {
    const did = await tenantWithPlan('plan-greet', {
      greeting: { text: 'Welcome to Acme.' },
      locale: { voice: 'Polly.Joanna', language: 'en-GB' },
    });

    const { id } = await e2e.call(did, 2);
    await e2e.reached(id, 'heard', /Welcome/);
    const story = await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'speak']);
    expect(commandOf(id, 'speak')).toMatchObject({
      payload: 'Welcome to Acme.',
      voice: 'Polly.Joanna',
      language: 'en-GB',
      command_id: `${id}:greeting`,
    });
    expect(steps(story)).toContain('heard: caller heard "Welcome to Acme."');
  });

  it('transfers after an audio greeting, and the far end answers and is bridged', async () => {
    const did = await tenantWithPlan('plan-transfer', {
      greeting: { audioUrl: 'https://media.example.com/hello.mp3' },
      onAdmit: { type: 'transfer', to: 'sip:desk@pbx.example.com', callerId: 'did' },
    });

    const { id } = await e2e.call(did, 2);
    await e2e.reached(id, 'heard', /answered; caller bridged/);
    const story = await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'playback_start', 'transfer']);
    expect(commandOf(id, 'transfer')).toMatchObject({
      to: 'sip:desk@pbx.example.com',
      from: did,
      timeout_secs: 30,
    });
    expect(steps(story)).toEqual(
      expect.arrayContaining([
        'heard: caller heard https://media.example.com/hello.mp3',
        'decision: plan step transfer (plan revision 1)',
      ]),
    );
    expect(await e2e.redis.scard('cap:tenant:plan-transfer:active')).toBe(0);
  });

  it('says onFailure and hangs up when the transfer target does not answer', async () => {
    const did = await tenantWithPlan('plan-transfer-fail', {
      onAdmit: {
        type: 'transfer',
        to: '+13125550000',
        timeoutSecs: 10,
        onFailure: { say: 'Nobody is free. Please call back.' },
      },
    });

    const { id } = await e2e.call(did);
    const story = await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'transfer', 'speak', 'hangup']);
    expect(commandOf(id, 'speak')).toMatchObject({
      payload: 'Nobody is free. Please call back.',
      command_id: `${id}:transfer_failed`,
    });
    expect(steps(story)).toEqual(
      expect.arrayContaining([
        'heard: ringing +13125550000 (it will not answer: no_answer)',
        'heard: caller heard "Nobody is free. Please call back."',
        'hangup: call hung up by the application (hangup command)',
      ]),
    );
    expect(await e2e.redis.scard('cap:tenant:plan-transfer-fail:active')).toBe(0);
  });

  it('carries a stream on the answer itself when there is no greeting', async () => {
    const did = await tenantWithPlan('plan-stream', {
      onAdmit: { type: 'stream', url: 'wss://media.example.com/in', track: 'both_tracks' },
    });

    const { id } = await e2e.call(did, 0.2);
    await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer']);
    expect(commandOf(id, 'answer')).toMatchObject({
      stream_url: 'wss://media.example.com/in',
      stream_track: 'both_tracks',
    });
  });

  it('starts streaming after a greeting when the plan has one', async () => {
    const did = await tenantWithPlan('plan-stream-greet', {
      greeting: { text: 'This call is recorded.' },
      onAdmit: { type: 'stream', url: 'wss://media.example.com/in' },
    });

    const { id } = await e2e.call(did, 2);
    await e2e.reached(id, 'command', /^stream /);
    await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'speak', 'streaming_start']);
    expect(commandOf(id, 'answer')?.stream_url).toBeUndefined();
    expect(commandOf(id, 'streaming_start')).toMatchObject({
      stream_url: 'wss://media.example.com/in',
      stream_track: 'inbound_track',
    });
  });

  it('starts the AI assistant with its dynamic variables', async () => {
    const did = await tenantWithPlan('plan-ai', {
      onAdmit: {
        type: 'ai_assistant',
        assistantId: 'assistant-7c1f',
        dynamicVariables: { plan_tier: 'gold', seats: 3 },
      },
    });

    const { id } = await e2e.call(did, 2);
    await e2e.reached(id, 'command', /^start AI assistant/);
    await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'ai_assistant_start']);
    expect(commandOf(id, 'ai_assistant_start')).toMatchObject({
      assistant: { id: 'assistant-7c1f', dynamic_variables: { plan_tier: 'gold', seats: 3 } },
    });
  });

  it('says the kill-switch message and hangs up without taking a slot', async () => {
    const did = await tenantWithPlan('plan-off', {
      onAdmit: { type: 'hangup', say: 'This line is closed for maintenance.' },
    });

    const { id } = await e2e.call(did);
    await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(e2e.spoken(id)).toBe('This line is closed for maintenance.');
    expect(await e2e.redis.keys('cap:tenant:plan-off:*')).toEqual([]);
  });

  it('turns a caller away outside opening hours without a slot or a counted call', async () => {
    const did = await tenantWithPlan('plan-hours', {
      hours: {
        timezone: 'America/Chicago',
        weekly: {},
        closed: { say: 'We are closed. Our hours are nine to five.' },
      },
    });

    const { id } = await e2e.call(did);
    const story = await e2e.finished(id);

    expect(e2e.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(e2e.spoken(id)).toBe('We are closed. Our hours are nine to five.');
    expect(await e2e.redis.keys('cap:tenant:plan-hours:*')).toEqual([]);
    expect(steps(story)).toContain(
      'decision: deny (outside_hours): answer, tell the caller why, hang up (plan revision 1)',
    );
  });

  it('rejects as busy, without answering, a caller over the cap when deny.mode is reject', async () => {
    const did = await tenantWithPlan('plan-reject', { deny: { mode: 'reject' } });
    const first = await e2e.call(did, 3);
    await e2e.reached(first.id, 'command', /^answer/);

    const second = await e2e.call(did);
    const story = await e2e.finished(second.id);

    expect(e2e.actions(second.id)).toEqual(['reject']);
    expect(commandOf(second.id, 'reject')).toMatchObject({ cause: 'USER_BUSY' });
    expect(steps(story)).toEqual(
      expect.arrayContaining([
        'hangup: call rejected (busy) without answering',
        'released: call over; it held no capacity slot',
      ]),
    );
    await e2e.finished(first.id);
  });

  it("speaks the tenant's own at-capacity words in the tenant's voice", async () => {
    const did = await tenantWithPlan('plan-deny-words', {
      deny: { voice: 'male', messages: { at_capacity: 'All our agents are busy.' } },
    });
    const first = await e2e.call(did, 3);
    await e2e.reached(first.id, 'command', /^answer/);

    const second = await e2e.call(did);
    await e2e.finished(second.id);

    expect(e2e.actions(second.id)).toEqual(['answer', 'speak', 'hangup']);
    expect(commandOf(second.id, 'speak')).toMatchObject({
      payload: 'All our agents are busy.',
      voice: 'male',
    });
    await e2e.finished(first.id);
  });
});
