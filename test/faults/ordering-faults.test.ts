import { LOCAL_HANDLER_ENV } from '../../local/handler-env.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { CALL_ENDED } from '../../local/telnyx-simulator.js';
import { callControlId, type TelnyxWebhookBody, telnyxEvent } from '../../local/webhook-events.js';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { callHelpers, NOT_CONFIGURED } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { figureRecorder } from './figures.js';

let p: Pipeline;
let calls: ReturnType<typeof callHelpers>;
const report = figureRecorder('ordering-faults');
/** Webhook deliveries posted to ingest since the test began. */
let posted = 0;

beforeAll(async () => {
  p = await startPipeline();
  calls = callHelpers(p);
});
afterAll(async () => {
  report.write();
  await p.stop();
});
beforeEach(async () => {
  await p.redis.flushdb();
  p.logs.length = 0;
  posted = 0;
});

/**
 * Telnyx delivers `event` three times: ingest acknowledges each, the FIFO queue keeps one
 * message (deduplicated by event id), and SQS at-least-once delivery hands that message to
 * the worker three times. Returns how many messages were queued.
 */
async function deliverThreeTimes(event: TelnyxWebhookBody): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    expect((await p.post(event)).statusCode).toBe(200);
    posted += 1;
  }
  const queued = await p.sqs.receiveMessages(p.queueUrl);
  for (let i = 0; i < 3; i += 1) {
    for (const message of queued) {
      const response = await p.worker(
        sqsEvent(sqsRecord(message.Body as string)),
        lambdaContext('worker'),
      );
      expect(response).toEqual({ batchItemFailures: [] });
    }
  }
  return queued.length;
}

const ignoredDuplicates = (id: string) => calls.commandsOf(id).filter((c) => c.duplicate).length;

describe('the same event delivered three times', () => {
  it('answers an admitted call once, counts it once, and releases it on the hangup', async () => {
    const to = await calls.mapNumber('acme');
    const id = callControlId();
    let queued = await deliverThreeTimes(
      telnyxEvent('call.initiated', { call_control_id: id, to }),
    );
    expect(calls.actions(id)).toEqual(['answer']);
    expect(await p.redis.smembers('cap:tenant:acme:active')).toEqual([id]);
    const [rpmKey] = await p.redis.keys('cap:tenant:acme:rpm:*');
    expect(await p.redis.get(rpmKey as string)).toBe('1');
    const clientState = calls.clientStateOf(id) as string;
    queued += await deliverThreeTimes(
      telnyxEvent('call.answered', { call_control_id: id, client_state: clientState }),
    );
    queued += await deliverThreeTimes(
      telnyxEvent('call.hangup', { call_control_id: id, client_state: clientState }),
    );
    expect(calls.actions(id)).toEqual(['answer']);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Duplicates: an admitted call, every event three times',
      injected:
        'call.initiated, call.answered and call.hangup each posted 3 times to ingest, and each queued message handed to the worker 3 times',
      observed:
        'one answer carried out (repeats carry the same command_id and Telnyx ignores them), the calls-per-minute counter at 1, the slot released',
      figures: {
        webhookDeliveries: posted,
        messagesQueued: queued,
        workerInvocations: queued * 3,
        commandsCarriedOut: p.telnyx.commandsFor(id).length,
        duplicateCommandsIgnoredByTelnyx: ignoredDuplicates(id),
        rpmCount: Number(await p.redis.get(rpmKey as string)),
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });

  it('gives a denied caller the message once and hangs up once', async () => {
    const id = callControlId();
    let queued = await deliverThreeTimes(
      telnyxEvent('call.initiated', { call_control_id: id, to: '+15550000000' }),
    );
    const clientState = calls.clientStateOf(id) as string;
    const common = { call_control_id: id, client_state: clientState };
    queued += await deliverThreeTimes(telnyxEvent('call.answered', common));
    queued += await deliverThreeTimes(
      telnyxEvent('call.speak.ended', { ...common, status: 'completed' }),
    );
    queued += await deliverThreeTimes(telnyxEvent('call.hangup', common));
    expect(calls.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(calls.spoken(id)).toBe(NOT_CONFIGURED);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Duplicates: a denied call, every event three times',
      injected:
        'call.initiated, call.answered, call.speak.ended and call.hangup each delivered 3 times (ingest and worker)',
      observed:
        'answer, speak and hangup each carried out once; the rest were repeats Telnyx ignored',
      figures: {
        webhookDeliveries: posted,
        messagesQueued: queued,
        workerInvocations: queued * 3,
        commandsCarriedOut: p.telnyx.commandsFor(id).length,
        duplicateCommandsIgnoredByTelnyx: ignoredDuplicates(id),
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });
});

describe('Telnyx-side reordering', () => {
  it('sends nothing and holds no slot when call.hangup arrives before call.initiated', async () => {
    const to = await calls.mapNumber('acme');
    const id = callControlId();
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: id }));
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to }));
    expect(calls.commandsOf(id)).toEqual([]);
    expect(await calls.heldCapacityKeys()).toEqual([]);
    // A later call to the same number is admitted normally.
    const next = callControlId();
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: next, to }));
    expect(calls.actions(next)).toEqual(['answer']);

    report.record({
      scenario: 'Reordering: call.hangup before call.initiated',
      injected: 'the hangup of a call delivered and processed before its call.initiated',
      observed:
        'the late call.initiated found the ended-call marker: no command, no slot; the next call was admitted',
      figures: {
        commandsSentForEndedCall: calls.commandsOf(id).length,
        leakedSlots: (await calls.slotHeld(id)) ? 1 : 0,
      },
    });
  });

  it('sends each denial command at most once and holds no slot when call.speak.ended arrives before call.answered', async () => {
    const id = callControlId();
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to: '+15550000000' }));
    const common = { call_control_id: id, client_state: calls.clientStateOf(id) as string };
    await p.deliver(telnyxEvent('call.speak.ended', { ...common, status: 'completed' }));
    // The call is over by the time the late call.answered is handled: Telnyx says so.
    p.telnyx.failNext('speak', CALL_ENDED);
    await p.deliver(telnyxEvent('call.answered', common));
    await p.deliver(telnyxEvent('call.hangup', common));
    const speakAttempts = calls.commandsOf(id).filter((c) => c.action === 'speak').length;

    expect(calls.actions(id)).toEqual(['answer', 'hangup']);
    expect(calls.commandsOf(id).map((c) => [c.action, c.status])).toEqual([
      ['answer', 200],
      ['hangup', 200],
      ['speak', 422],
    ]);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Reordering: call.speak.ended before call.answered',
      injected:
        'a denied call whose call.speak.ended (completed) was processed before its call.answered; Telnyx answers the late speak with 422 90018',
      observed:
        'the flow acts on each event alone: hangup once, the late speak found the call ended (no retry), no slot held',
      figures: {
        commandsCarriedOut: p.telnyx.commandsFor(id).length,
        speakAttempts,
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });
});

describe('a worker crash between acquire and answer', () => {
  // The worker's own limiter settings, so this "dead" invocation wrote exactly what it would.
  const limiter = () =>
    createCapacityLimiter(
      p.redis,
      {
        capPrefix: 'cap',
        tenantmapPrefix: 'tenantmap',
        globalConcurrencyCap: Number(LOCAL_HANDLER_ENV.GLOBAL_CONCURRENCY_CAP),
        tenantConcurrencyCapDefault: Number(LOCAL_HANDLER_ENV.TENANT_CONCURRENCY_CAP_DEFAULT),
        tenantCallsPerMinCapDefault: Number(LOCAL_HANDLER_ENV.TENANT_CALLS_PER_MIN_CAP_DEFAULT),
        capacityTtlSeconds: Number(LOCAL_HANDLER_ENV.CAPACITY_TTL_SECONDS),
      },
      new RecordingLogger(),
    );

  it('answers the call once and holds one slot when SQS redelivers the message', async () => {
    const to = await calls.mapNumber('acme');
    const id = callControlId();
    expect(await limiter().tryAcquire(id, 'acme')).toMatchObject({ admitted: true, repeat: false });
    // The invocation died here: no answer, the message was not deleted, SQS offers it again.
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to }));
    expect(calls.actions(id)).toEqual(['answer']);
    const heldAfterRedelivery = await p.redis.smembers('cap:global:active');
    expect(heldAfterRedelivery).toEqual([id]);
    const [rpmKey] = await p.redis.keys('cap:tenant:acme:rpm:*');
    expect(await p.redis.get(rpmKey as string)).toBe('1');
    await calls.hangup(id);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Worker crash between acquire and answer, message redelivered',
      injected:
        'a slot acquired through the limiter for a call that was never answered (the invocation died), then its call.initiated redelivered',
      observed:
        'the retried acquire found the call already holding its slot (ok, counted once), answered it once; the hangup released it',
      figures: {
        slotsHeldAfterRedelivery: heldAfterRedelivery.length,
        answersCarriedOut: calls.carriedOut(id, 'answer'),
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });

  it('gives the slot back when the redelivered call.initiated finds the caller already gone (422 90018)', async () => {
    const to = await calls.mapNumber('acme');
    const id = callControlId();
    expect(await limiter().tryAcquire(id, 'acme')).toMatchObject({ admitted: true, repeat: false });
    // FIFO order within the call: the redelivered call.initiated runs before the caller's hangup.
    p.telnyx.failNext('answer', CALL_ENDED);
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to }));
    const heldAfterRedelivery = (await calls.heldCapacityKeys()).length;
    expect(heldAfterRedelivery).toBe(0);
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: id }));
    expect(calls.actions(id)).toEqual([]);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Worker crash between acquire and answer, caller gone by the redelivery',
      injected:
        'a slot acquired for a call that was never answered, then its call.initiated redelivered while Telnyx answers 422 90018 (the caller hung up), then its call.hangup',
      observed:
        'the answer found the call ended and the slot was given back at once; the hangup found nothing to release',
      figures: {
        slotsHeldAfterRedelivery: heldAfterRedelivery,
        commandsCarriedOut: p.telnyx.commandsFor(id).length,
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });

  it('releases the slot on the hangup and sends nothing when the redelivery comes after the caller hung up', async () => {
    const to = await calls.mapNumber('acme');
    const id = callControlId();
    expect(await limiter().tryAcquire(id, 'acme')).toMatchObject({ admitted: true, repeat: false });
    await p.deliver(telnyxEvent('call.hangup', { call_control_id: id }));
    expect(await calls.heldCapacityKeys()).toEqual([]);
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to }));
    expect(calls.commandsOf(id)).toEqual([]);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Worker crash between acquire and answer, caller hangs up before the redelivery',
      injected:
        'a slot acquired for a call that was never answered, then its call.hangup (no client_state), then the redelivered call.initiated',
      observed:
        'the hangup released the slot through the per-call record; the redelivered call.initiated found the call ended: no command, no slot',
      figures: {
        commandsSentForEndedCall: calls.commandsOf(id).length,
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });
});
