import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { CALL_ENDED, SERVER_ERROR } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { decodeCallState, encodeCallState } from '../../shared/calls/client-state.js';
import {
  AT_CAPACITY,
  type CallHelpers,
  callHelpers,
  NOT_CONFIGURED,
  UNAVAILABLE,
} from '../support/call-helpers.js';
import { type Pipeline, usePipeline } from '../support/pipeline.js';

let p: Pipeline;
let h: CallHelpers;
usePipeline((pipeline) => {
  p = pipeline;
  h = callHelpers(pipeline);
});

/** A call.initiated for a new call to `to`, and that call's id. */
function incomingCall(to: string) {
  const id = callControlId();
  return { id, initiated: telnyxEvent('call.initiated', { call_control_id: id, to }) };
}

describe('an accepted call', () => {
  it('is queued, admitted, answered with its tenant in client_state, and released on hangup', async () => {
    const to = await h.mapNumber('acme');
    const { id, initiated } = incomingCall(to);

    const response = await p.deliver(initiated);

    expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    const [answer] = p.telnyx.commandsFor(id);
    expect(answer).toMatchObject({ action: 'answer', commandId: `${id}:answer` });
    expect(decodeCallState(answer?.body.client_state as string)).toEqual({
      action: 'accept',
      tenantId: 'acme',
    });
    expect(await p.redis.smembers('cap:global:active')).toEqual([id]);
    expect(await p.redis.smembers('cap:tenant:acme:active')).toEqual([id]);
    expect(p.logMessages()).toContain('call accepted');

    const clientState = answer?.body.client_state as string;
    await p.deliver(
      telnyxEvent('call.answered', { call_control_id: id, client_state: clientState }),
    );
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: id, client_state: clientState }));

    expect(h.actions(id)).toEqual(['answer']);
    expect(await p.redis.scard('cap:global:active')).toBe(0);
    expect(await p.redis.scard('cap:tenant:acme:active')).toBe(0);
  });

  it("names the call in its decision lines, so a call's story can be read from the logs", async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    await p.deliver(initiated);
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: id }));
    const lines = p.logs.filter((l) => l.callControlId === id).map((l) => l.message);
    expect(lines).toEqual(expect.arrayContaining(['call accepted', 'call released']));
  });

  it('emits a CallAccepted metric', async () => {
    const { initiated } = incomingCall(await h.mapNumber('acme'));
    await p.deliver(initiated);
    const emf = p.logs.find((l) => '_aws' in l && 'CallAccepted' in l);
    expect(emf).toMatchObject({ CallAccepted: 1, service: 'worker' });
  });
});

describe('a capacity denial', () => {
  async function expectCapacityDenial(id: string, reason: string) {
    expect(decodeCallState(p.telnyx.commandsFor(id)[0]?.body.client_state as string)).toEqual({
      action: 'deny',
      message: 'at_capacity',
    });
    await h.followDenial(id);
    expect(h.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(h.spoken(id)).toBe(AT_CAPACITY);
    expect(p.logs).toContainEqual(expect.objectContaining({ message: 'capacity denied', reason }));
    expect(await p.redis.sismember('cap:global:active', id)).toBe(0);
    const emf = p.logs.find((l) => '_aws' in l && 'CallDenied' in l);
    expect(emf).toMatchObject({ CallDenied: 1, Reason: reason });
  }

  it('tells the caller "at capacity" and hangs up when the global cap is reached', async () => {
    for (let i = 0; i < 5; i += 1)
      await p.deliver(incomingCall(await h.mapNumber(`tenant-${i}`)).initiated);
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    await p.deliver(initiated);
    await expectCapacityDenial(id, 'global_at_capacity');
  });

  it('tells the caller "at capacity" when the tenant\'s concurrency cap is reached', async () => {
    const to = await h.mapNumber('acme');
    await p.deliver(incomingCall(to).initiated);
    await p.deliver(incomingCall(to).initiated);
    const { id, initiated } = incomingCall(to);
    await p.deliver(initiated);
    await expectCapacityDenial(id, 'tenant_at_capacity');
  });

  it('tells the caller "at capacity" when the tenant\'s calls-per-minute cap is reached', async () => {
    const to = await h.mapNumber('acme');
    await p.redis.set('tenantmap:tenant:acme:cap:rpm', '1');
    const first = incomingCall(to);
    await p.deliver(first.initiated);
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: first.id }));
    const { id, initiated } = incomingCall(to);
    await p.deliver(initiated);
    await expectCapacityDenial(id, 'tenant_rate_limited');
  });
});

describe('other denials', () => {
  it('tells the caller the number is not configured when it maps to no tenant', async () => {
    const { id, initiated } = incomingCall('+15550000000');
    await p.deliver(initiated);
    await h.followDenial(id);
    expect(h.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(h.spoken(id)).toBe(NOT_CONFIGURED);
    expect(await p.redis.keys('cap:*')).toEqual([]);
  });

  it('tells the caller "unable to accept" when the capacity check fails in Redis', async () => {
    const to = await h.mapNumber('broken');
    await p.redis.set('cap:tenant:broken:active', 'not a set'); // every script call on it fails
    const { id, initiated } = incomingCall(to);
    await p.deliver(initiated);
    await h.followDenial(id);
    expect(h.spoken(id)).toBe(UNAVAILABLE);
    const messages = p.logMessages();
    expect(messages).toContain('capacity evaluation failed');
    expect(messages).toContain('capacity check failed');
  });

  it('speaks with the configured voice and language, and masks the numbers it logs', async () => {
    const { id, initiated } = incomingCall('+15550001234');
    await p.deliver(initiated);
    await h.followDenial(id);
    const speak = p.telnyx.commandsFor(id).find((c) => c.action === 'speak');
    expect(speak?.body).toMatchObject({
      voice: 'female',
      language: 'en-US',
      command_id: `${id}:speak`,
    });
    expect(JSON.stringify(p.logs)).not.toContain('5550001234');
    expect(JSON.stringify(p.logs)).toContain('*******1234');
  });
});

describe('hangups and ordering', () => {
  it('does not hang up when speaking ended because the caller hung up', async () => {
    const { id, initiated } = incomingCall('+15550000000');
    await p.deliver(initiated);
    await h.followDenial(id, 'call_hangup');
    expect(h.actions(id)).toEqual(['answer', 'speak']);
  });

  it('queues a duplicate delivery of the same event once, and answers once', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    await p.post(initiated);
    await p.post(initiated);
    await p.drain();
    expect(p.telnyx.commands.filter((c) => c.callControlId === id)).toHaveLength(1);
    expect(await p.redis.scard('cap:tenant:acme:active')).toBe(1);
  });

  it('sends a re-processed event with the same command id and counts the call once', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    const record = sqsRecord(initiated);
    await p.worker(sqsEvent(record), lambdaContext('worker'));
    await p.worker(sqsEvent(record), lambdaContext('worker'));
    const sent = p.telnyx.commands.filter((c) => c.callControlId === id);
    expect(sent.map((c) => [c.commandId, c.duplicate])).toEqual([
      [`${id}:answer`, false],
      [`${id}:answer`, true],
    ]);
    const [rpmKey] = await p.redis.keys('cap:tenant:acme:rpm:*');
    expect(await p.redis.get(rpmKey as string)).toBe('1');
  });

  it('holds no slot and sends nothing when the hangup is processed before its call.initiated', async () => {
    const to = await h.mapNumber('acme');
    const { id, initiated } = incomingCall(to);
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: id }));
    await p.deliver(initiated);
    expect(h.actions(id)).toEqual([]);
    expect(await p.redis.scard('cap:global:active')).toBe(0);
  });
});

describe('failures and bad messages', () => {
  it('drops a message that is not a Telnyx event, logging it, without failing the batch', async () => {
    const response = await p.worker(
      sqsEvent(sqsRecord('{"hello":"world"}')),
      lambdaContext('worker'),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(p.logMessages()).toContain('dropped malformed message');
  });

  it("retries a failing call's messages without holding back other calls in the batch", async () => {
    const to = await h.mapNumber('acme');
    const failing = incomingCall(to);
    const healthy = incomingCall(await h.mapNumber('globex'));
    const failingHangup = telnyxEvent('call.hangup', { call_control_id: failing.id });
    p.telnyx.failNext('answer', SERVER_ERROR, 3); // the first try and the SDK's two retries
    const records = [
      sqsRecord(failing.initiated),
      sqsRecord(failingHangup),
      sqsRecord(healthy.initiated),
    ];
    const response = await p.worker(sqsEvent(...records), lambdaContext('worker'));
    expect(response?.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      records[0]?.messageId,
      records[1]?.messageId,
    ]);
    expect(h.actions(healthy.id)).toEqual(['answer']);
    // Telnyx may have answered (5xx): the call keeps its slot while it waits for its retry.
    expect(await p.redis.sismember('cap:global:active', failing.id)).toBe(1);
    await p.worker(sqsEvent(records[0] as never), lambdaContext('worker'));
    expect(h.actions(failing.id)).toEqual(['answer']);
    expect(await p.redis.sismember('cap:global:active', failing.id)).toBe(1);
  });

  it('gives the slot back when Telnyx says the call has already ended (422 90018)', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    p.telnyx.failNext('answer', CALL_ENDED);
    await p.deliver(initiated);
    expect(await p.redis.sismember('cap:global:active', id)).toBe(0);
    expect(await p.sqs.receiveMessages(p.queueUrl)).toEqual([]);
  });

  it('ignores events whose client_state is not ours, and outgoing calls', async () => {
    const foreign = Buffer.from('{"app":"other","action":"deny","denial":"at_capacity"}').toString(
      'base64',
    );
    const id = callControlId();
    await p.deliver(telnyxEvent('call.answered', { call_control_id: id, client_state: foreign }));
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, direction: 'outgoing' }));
    await p.deliver(
      telnyxEvent('call.speak.ended', {
        call_control_id: id,
        client_state: encodeCallState({ action: 'accept', tenantId: 'acme' }),
      }),
    );
    expect(p.telnyx.commands.filter((c) => c.callControlId === id)).toEqual([]);
  });
});

describe('a signed body holding characters SQS refuses', () => {
  it('is queued with them as JSON escapes, and the worker admits the call', async () => {
    const to = await h.mapNumber('acme');
    const { id, initiated } = incomingCall(to);
    const payload = { ...initiated.data.payload, caller_id_name: 'Zoë \uFFFE\uFFFF lone' };
    // JSON.stringify escapes a lone surrogate; Telnyx's text may hold it raw.
    const body = JSON.stringify({ ...initiated, data: { ...initiated.data, payload } }).replace(
      'lone',
      'lone \uD800',
    );

    const response = await p.post(body);

    expect(response.statusCode).toBe(200);
    const peek = await p.sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: p.queueUrl, VisibilityTimeout: 0 }),
    );
    const queued = peek.Messages?.[0]?.Body as string;
    expect(queued).toContain('Zo\u00eb \\ufffe\\uffff lone \\ud800');
    expect(JSON.parse(queued)).toEqual(JSON.parse(body));
    await p.drain();
    expect(h.actions(id)).toEqual(['answer']);
    expect(await p.redis.smembers('cap:global:active')).toEqual([id]);
  });
});
