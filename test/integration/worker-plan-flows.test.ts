import { callControlId, type PayloadOverrides, telnyxEvent } from '../../local/webhook-events.js';
import { decodeCallState } from '../../shared/calls/client-state.js';
import { type CallHelpers, callHelpers } from '../support/call-helpers.js';
import { type Pipeline, usePipeline } from '../support/pipeline.js';
import { tenantPlan } from '../support/tenant-plan.js';

let p: Pipeline;
let h: CallHelpers;
usePipeline((pipeline) => {
  p = pipeline;
  h = callHelpers(pipeline);
});

const storePlan = (tenant: string, fields: Record<string, unknown>) =>
  p.redis.set(`tenantcfg:${tenant}`, JSON.stringify(tenantPlan(tenant, fields)));

/** The client_state Telnyx echoes now: the one set by the call's latest command that had one. */
const stateNow = (id: string) =>
  p.telnyx
    .commandsFor(id)
    .map((c) => c.body.client_state as string | undefined)
    .filter((s) => s !== undefined)
    .at(-1) ?? null;

/** Telnyx's webhook `type` for the call, echoing its current client_state. */
const webhook = (id: string, type: string, payload: PayloadOverrides = {}) =>
  p.deliver(telnyxEvent(type, { call_control_id: id, client_state: stateNow(id), ...payload }));

async function placeCall(tenant: string) {
  const to = await h.mapNumber(tenant);
  const id = callControlId();
  await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to }));
  return id;
}

const TRANSFER = { type: 'transfer', to: '+13125550111', onFailure: { say: 'Nobody answered.' } };

describe('a call keeps the plan it started with', () => {
  it('greets and transfers as revision 1 said, although revision 2 was saved mid-call', async () => {
    await storePlan('acme', {
      revision: 1,
      greeting: { text: 'Hello from rev 1.' },
      onAdmit: TRANSFER,
    });
    const id = await placeCall('acme');
    await storePlan('acme', {
      revision: 2,
      greeting: { text: 'Hello from rev 2.' },
      onAdmit: { ...TRANSFER, to: '+13125550122' },
    });

    await webhook(id, 'call.answered');
    await webhook(id, 'call.speak.ended', { status: 'completed' });

    expect(h.actions(id)).toEqual(['answer', 'speak', 'transfer']);
    expect(h.spoken(id)).toBe('Hello from rev 1.');
    expect(p.telnyx.commandsFor(id)[2]?.body.to).toBe('+13125550111');
    const decisions = p.logs.filter((l) => l.callControlId === id && l.level === 'INFO');
    expect(decisions.map((l) => [l.message, l.revision])).toEqual([
      ['call accepted', 1],
      ['call plan step', 1],
      ['call plan step', 1],
    ]);
  });
});

describe('duplicates and reordering', () => {
  it('sends each plan step once when Telnyx repeats its webhooks', async () => {
    await storePlan('acme', { greeting: { text: 'Hi.' }, onAdmit: TRANSFER });
    const id = await placeCall('acme');

    const answered = telnyxEvent('call.answered', {
      call_control_id: id,
      client_state: stateNow(id),
    });
    await p.deliver(answered);
    await p.deliver(answered);
    const greeted = { call_control_id: id, client_state: stateNow(id), status: 'completed' };
    await p.deliver(telnyxEvent('call.speak.ended', greeted));
    await p.deliver(telnyxEvent('call.speak.ended', greeted));

    expect(h.actions(id)).toEqual(['answer', 'speak', 'transfer']);
    expect(p.telnyx.commands.filter((c) => c.callControlId === id && c.duplicate)).toHaveLength(2);
  });

  it('ignores a greeting end that arrives before the answer webhook', async () => {
    await storePlan('acme', { greeting: { text: 'Hi.' }, onAdmit: TRANSFER });
    const id = await placeCall('acme');

    await webhook(id, 'call.speak.ended', { status: 'completed' });

    expect(h.actions(id)).toEqual(['answer']);
  });
});

describe('transfers that fail', () => {
  /** Answers, transfers, and returns the client_state Telnyx gives the new leg. */
  async function transferred(tenant: string) {
    const id = await placeCall(tenant);
    await webhook(id, 'call.answered');
    const transfer = p.telnyx.commandsFor(id).find((c) => c.action === 'transfer');
    return { id, leg: transfer?.body.target_leg_client_state as string };
  }
  const legHangup = (leg: string, cause: string) =>
    p.deliver(
      telnyxEvent('call.hangup', { client_state: leg, hangup_cause: cause, direction: 'outgoing' }),
    );

  it.each([['timeout'], ['user_busy'], ['call_rejected'], ['not_found']])(
    'says onFailure, then hangs up, when the new leg ends with %s',
    async (cause) => {
      await storePlan('acme', { onAdmit: TRANSFER });
      const { id, leg } = await transferred('acme');

      await legHangup(leg, cause);
      await legHangup(leg, cause);
      await webhook(id, 'call.speak.ended', { status: 'completed' });

      expect(h.actions(id)).toEqual(['answer', 'transfer', 'speak', 'hangup']);
      expect(h.spoken(id)).toBe('Nobody answered.');
    },
  );

  it('hangs up at once when the plan has no onFailure', async () => {
    await storePlan('acme', { onAdmit: { type: 'transfer', to: '+13125550111' } });
    const { id, leg } = await transferred('acme');

    await legHangup(leg, 'timeout');

    expect(h.actions(id)).toEqual(['answer', 'transfer', 'hangup']);
  });

  it('does nothing when the new leg ends normally after it was answered', async () => {
    await storePlan('acme', { onAdmit: TRANSFER });
    const { id, leg } = await transferred('acme');

    await legHangup(leg, 'normal_clearing');

    expect(h.actions(id)).toEqual(['answer', 'transfer']);
  });

  it('holds no slot for the new leg: only the caller leg is released', async () => {
    await storePlan('acme', { onAdmit: TRANSFER });
    const { id, leg } = await transferred('acme');
    await legHangup(leg, 'normal_clearing');

    expect(await h.slotHeld(id)).toBe(true);
    await webhook(id, 'call.hangup');
    expect(await h.heldCapacityKeys()).toEqual([]);
  });
});

describe('a plan document never costs a call', () => {
  it("answers under today's behaviour when the document is invalid, and reports it", async () => {
    // A tenant this worker container has never seen a valid plan for.
    await p.redis.set('tenantcfg:initech', '{"schemaVersion":1,"tenantId":"initech","revision":3}');
    const id = await placeCall('initech');

    expect(h.actions(id)).toEqual(['answer']);
    expect(decodeCallState(h.clientStateOf(id))).toEqual({ action: 'accept', tenantId: 'initech' });
    expect(p.logs.find((l) => l.message === 'tenant config invalid')).toMatchObject({
      level: 'WARN',
      tenantId: 'initech',
      revision: 3,
      problems: [expect.stringMatching(/^onAdmit: /)],
    });
    expect(p.logs.find((l) => '_aws' in l && 'TenantConfigInvalid' in l)).toMatchObject({
      TenantConfigInvalid: 1,
    });
  });

  it('answers when the plan key holds the wrong type of value', async () => {
    await p.redis.hset('tenantcfg:acme', 'onAdmit', 'hangup');
    const id = await placeCall('acme');

    expect(h.actions(id)).toEqual(['answer']);
    expect(p.logMessages()).toEqual(
      expect.arrayContaining(['tenant config read failed', 'call accepted']),
    );
  });

  it('rejects over the cap without ever answering when deny.mode is reject', async () => {
    await storePlan('acme', { deny: { mode: 'reject' } });
    await p.redis.set('tenantmap:tenant:acme:cap:concurrency', '1');
    await placeCall('acme');
    const id = await placeCall('acme');
    await webhook(id, 'call.hangup', { hangup_cause: 'user_busy' });

    expect(p.telnyx.commands.filter((c) => c.callControlId === id).map((c) => c.action)).toEqual([
      'reject',
    ]);
    expect(p.logs.find((l) => l.message === 'call denied' && l.callControlId === id)).toMatchObject(
      {
        reason: 'tenant_at_capacity',
        mode: 'reject',
        revision: 1,
      },
    );
  });
});
