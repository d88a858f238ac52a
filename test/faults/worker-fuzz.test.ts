import fc from 'fast-check';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { figureRecorder } from './figures.js';

// Batches of adversarial queue messages, each followed in the SAME message group by one
// genuine call.initiated: a malformed record that failed would hold that call back.
const RUNS = 1000;
const GROUP = 'fuzz-group';

let p: Pipeline;
const report = figureRecorder('worker-fuzz');

beforeAll(async () => {
  p = await startPipeline();
});
afterAll(async () => {
  report.write();
  await p.stop();
});

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);
const huge = fc.integer({ min: 10_000, max: 256 * 1024 }).map((n) => 'A'.repeat(n));

/** client_state values that are not this service's: other apps', forged-looking, garbage. */
const foreignState = fc.oneof(
  fc.constant(null),
  anyText,
  huge,
  fc.base64String(),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.jsonValue().map(b64),
  fc
    .record({
      app: fc.string(),
      action: fc.constantFrom('deny', 'accept'),
      denial: fc.constantFrom('at_capacity', 'not_configured'),
    })
    .filter((s) => s.app !== 'tca1')
    .map(b64),
  fc
    .record({
      app: fc.constantFrom('tca1', 'TCA1', 'tca1 ', 'tca2'),
      action: fc.oneof(fc.constantFrom('deny', 'Deny', 'reject', ''), fc.string()),
      denial: fc.oneof(
        fc.constantFrom(
          '__proto__',
          'toString',
          'constructor',
          'hasOwnProperty',
          'AT_CAPACITY',
          '',
        ),
        fc.string(),
        fc.integer(),
      ),
    })
    .filter(
      (s) =>
        !(
          s.app === 'tca1' &&
          s.action === 'deny' &&
          ['at_capacity', 'not_configured', 'unavailable'].includes(String(s.denial))
        ),
    )
    .map(b64),
  // Our own accept state: genuine, but it never asks for a command on answered/speak.ended.
  fc.string({ minLength: 1 }).map((tenant) => b64({ app: 'tca1', action: 'accept', tenant })),
  fc.constant(JSON.stringify({ app: 'tca1', action: 'deny', denial: 'at_capacity' })), // not base64
);

/** Bodies that are not Telnyx events at all, or have fields of the wrong type. */
const malformedBody = fc.oneof(
  anyText,
  huge,
  fc.json(),
  fc.base64String(),
  fc.uint8Array({ maxLength: 500 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.constantFrom('', 'null', '[]', '{}', '{"data":null}', '{"data":{"payload":[]}}'),
  fc
    .record({
      event_type: fc.oneof(fc.integer(), fc.constant(null), fc.constant('')),
      id: fc.oneof(fc.integer(), fc.constant('')),
      call_control_id: fc.oneof(
        fc.integer(),
        fc.constant(''),
        fc.constant(null),
        fc.array(fc.string()),
      ),
    })
    .map(({ event_type, id, call_control_id }) =>
      JSON.stringify({ data: { event_type, id, payload: { call_control_id } } }),
    ),
);

/** Well-formed events that must not produce a command: foreign state, not incoming, other types. */
const adversarialEvent = fc.oneof(
  fc
    .record({
      type: fc.constantFrom('call.answered', 'call.speak.ended'),
      state: foreignState,
      status: fc.oneof(fc.constant('completed'), fc.string()),
    })
    .map(({ type, state, status }) =>
      JSON.stringify(
        telnyxEvent(type, { call_control_id: callControlId(), client_state: state, status }),
      ),
    ),
  fc
    .record({
      direction: fc.oneof(fc.constantFrom('outgoing', 'Incoming', '', 'INCOMING'), fc.string()),
      state: foreignState,
    })
    .filter(({ direction }) => direction !== 'incoming')
    .map(({ direction, state }) =>
      JSON.stringify(
        // Any string as the direction, on purpose: the factory's type only knows the two real ones.
        telnyxEvent('call.initiated', {
          call_control_id: callControlId(),
          client_state: state,
          ...({ direction } as Record<string, unknown>),
        }),
      ),
    ),
  fc
    .record({
      type: fc.oneof(
        fc.constantFrom('call.bridged', 'call.machine.detection.ended', 'call.hangup'),
        fc.string({ minLength: 1 }),
      ),
      state: foreignState,
      callId: fc.oneof(fc.constant(callControlId()), fc.string({ minLength: 1, maxLength: 300 })),
    })
    .filter(({ type }) => !['call.initiated', 'call.answered', 'call.speak.ended'].includes(type))
    .map(({ type, state, callId }) =>
      JSON.stringify(telnyxEvent(type, { call_control_id: callId, client_state: state })),
    ),
);

const record = fc.oneof(
  { arbitrary: malformedBody.map((body) => ({ kind: 'malformed', body })), weight: 1 },
  { arbitrary: adversarialEvent.map((body) => ({ kind: 'adversarial event', body })), weight: 1 },
);

it(`never throws, never blocks a message group and sends no command for ${RUNS} batches of malformed and adversarial messages`, async () => {
  const counts = { records: 0, malformed: 0, adversarial: 0, batchItemFailures: 0, crashes: 0 };
  let foreignCommands = 0;
  let genuineAnswered = 0;

  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 6 }), async (records) => {
      p.logs.length = 0;
      const commandsBefore = p.telnyx.commands.length;
      const genuine = callControlId();
      const batch = [
        ...records.map((r) => sqsRecord(r.body, { messageGroupId: GROUP })),
        sqsRecord(telnyxEvent('call.initiated', { call_control_id: genuine, to: '+15550000000' }), {
          messageGroupId: GROUP,
        }),
      ];
      const response = await p
        .worker(sqsEvent(...batch), lambdaContext('worker'))
        .catch((error) => {
          counts.crashes += 1;
          throw error;
        });
      counts.records += records.length;
      for (const r of records) {
        if (r.kind === 'malformed') counts.malformed += 1;
        else counts.adversarial += 1;
      }
      counts.batchItemFailures += response?.batchItemFailures.length ?? 0;
      expect(response).toEqual({ batchItemFailures: [] });

      const sent = p.telnyx.commands.slice(commandsBefore);
      foreignCommands += sent.filter((c) => c.callControlId !== genuine).length;
      expect(sent.map((c) => [c.callControlId, c.action])).toEqual([[genuine, 'answer']]);
      genuineAnswered += 1;
    }),
    { numRuns: RUNS },
  );
  const ms = performance.now() - started;
  expect(await p.redis.keys('cap:*:active')).toEqual([]);

  report.record({
    scenario: 'Worker fuzzing (fast-check)',
    injected: `${RUNS} batches of 1-6 generated messages (random text and JSON, wrong types, bodies up to 256 KiB, base64 garbage; call.answered/call.speak.ended with other apps' and forged-looking client_state, non-incoming call.initiated, other event types), each followed in the same message group by one genuine call.initiated`,
    observed:
      'the worker never threw, reported no batch item failure, sent no command for any of the generated messages, and answered every genuine call that followed them in the group',
    figures: {
      batches: RUNS,
      generatedMessages: counts.records,
      malformedBodies: counts.malformed,
      adversarialEvents: counts.adversarial,
      crashes: counts.crashes,
      batchItemFailures: counts.batchItemFailures,
      commandsForGeneratedMessages: foreignCommands,
      genuineCallsAnsweredAfterThem: genuineAnswered,
      runMs: Math.round(ms),
    },
  });
});
