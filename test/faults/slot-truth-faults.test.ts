import { LOCAL_HANDLER_ENV } from '../../local/handler-env.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { CALL_ENDED, SERVER_ERROR } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { decodeCallState } from '../../shared/calls/client-state.js';
import { callHelpers, NOT_CONFIGURED } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { figureRecorder } from './figures.js';

// Every call's slot is what Redis says it is, however its Telnyx commands and Redis calls fail.
const TENANT_CAP = Number(LOCAL_HANDLER_ENV.TENANT_CONCURRENCY_CAP_DEFAULT);
let p: Pipeline;
let h: ReturnType<typeof callHelpers>;
const report = figureRecorder('slot-truth-faults');
beforeAll(async () => {
  p = await startPipeline({ TELNYX_TIMEOUT_MS: '200' });
  h = callHelpers(p);
});
afterAll(async () => {
  report.write({ tenantCap: TENANT_CAP, callSetupWindowSeconds: 60 });
  await p.stop();
});
beforeEach(async () => {
  await p.redis.flushdb();
  p.logs.length = 0;
});

/** A call.initiated for a new call to `to`, and that call's id. */
function incomingCall(to: string, envelope: Parameters<typeof telnyxEvent>[2] = {}) {
  const id = callControlId();
  return { id, initiated: telnyxEvent('call.initiated', { call_control_id: id, to }, envelope) };
}

/** One worker invocation on `bodies`, in order; returns the message ids it reported failed. */
async function invoke(...bodies: Parameters<typeof sqsRecord>[0][]): Promise<string[]> {
  const records = bodies.map((body) => sqsRecord(body));
  const response = await p.worker(sqsEvent(...records), lambdaContext('worker'));
  const failed = new Set(response?.batchItemFailures.map((f) => f.itemIdentifier));
  return records.flatMap((r, i) => (failed.has(r.messageId) ? [String(i)] : []));
}

const metricCount = (name: string) =>
  p.logs.filter((l) => '_aws' in l && name in l).reduce((n, l) => n + Number(l[name]), 0);
const linesOf = (id: string, message: string) =>
  p.logs.filter((l) => l.callControlId === id && l.message === message);

/** Calls Telnyx answered with an accept state beyond the tenant cap (all calls still up). */
const overAdmitted = (ids: readonly string[]) =>
  Math.max(
    0,
    ids.filter((id) => decodeCallState(h.clientStateOf(id))?.action === 'accept').length -
      TENANT_CAP,
  );

/** Hangs every call up, then counts the capacity keys still held (leaked slots). */
async function leakedAfterHangups(ids: readonly string[]): Promise<number> {
  for (const id of ids) await h.hangup(id);
  return (await h.heldCapacityKeys()).length;
}

describe('an answer that fails without a definite outcome', () => {
  it('keeps the slot while the message waits, and the retry re-answers counting the call once', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    p.telnyx.failNext('answer', SERVER_ERROR, 3); // the first try and the SDK's two retries

    expect(await invoke(initiated)).toEqual(['0']);
    const heldWhileWaiting = await h.slotHeld(id);
    expect(heldWhileWaiting).toBe(true);
    expect(await invoke(initiated)).toEqual([]);

    expect(h.carriedOut(id, 'answer')).toBe(1);
    expect(decodeCallState(h.clientStateOf(id))).toEqual({ action: 'accept', tenantId: 'acme' });
    const [rpmKey] = await p.redis.keys('cap:tenant:acme:rpm:*');
    expect(await p.redis.get(rpmKey as string)).toBe('1');
    expect(metricCount('CallAccepted')).toBe(1);
    report.record({
      scenario: 'Answer fails with 500 on every SDK attempt, then succeeds on the retry',
      injected:
        'the simulator answered the first 3 answer attempts (the SDK retries included) with 500',
      observed:
        'the slot was kept while the message waited; the retry re-answered with the accept state; the RPM counter and CallAccepted counted the call once',
      figures: {
        slotHeldWhileWaiting: heldWhileWaiting,
        rpmCount: Number(await p.redis.get(rpmKey as string)),
        callAcceptedMetrics: metricCount('CallAccepted'),
        leakedSlots: await leakedAfterHangups([id]),
      },
    });
  });

  it('admits no one over the cap when Telnyx answered but the reply was lost', async () => {
    const to = await h.mapNumber('acme'); // tenant cap 2
    const lost = incomingCall(to);
    p.telnyx.failNext('answer', 'lost_reply', 3);
    expect(await invoke(lost.initiated)).toEqual(['0']);
    const [second, third] = [incomingCall(to), incomingCall(to)];
    await invoke(second.initiated, third.initiated);
    await invoke(lost.initiated); // the SQS retry of the first call

    const acceptedLive = [lost, second, third].filter(
      ({ id }) => decodeCallState(h.clientStateOf(id))?.action === 'accept',
    );
    expect(acceptedLive.map(({ id }) => id)).toEqual([lost.id, second.id]);
    expect((await p.redis.smembers('cap:tenant:acme:active')).sort()).toEqual(
      [lost.id, second.id].sort(),
    );
    const ids = [lost.id, second.id, third.id];
    report.record({
      scenario: 'Answer carried out but its reply lost, while the tenant fills up',
      injected: `Telnyx answered the first call but reset the connection before replying (x3); two more calls to the same tenant (cap ${TENANT_CAP}) came in before the retry`,
      observed:
        'the first call kept its slot; the second was admitted, the third denied; the retry re-answered the first call (Telnyx ignored the repeated command_id), never a deny',
      figures: {
        calls: ids.length,
        overAdmittedCalls: overAdmitted(ids),
        leakedSlots: await leakedAfterHangups(ids),
      },
    });
  });

  it('gives the slot back when Telnyx refuses the answer with a 4xx (not carried out)', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    p.telnyx.failNext('answer', { status: 403, body: { errors: [{ code: '10010' }] } });
    expect(await invoke(initiated)).toEqual(['0']);
    expect(await h.slotHeld(id)).toBe(false);
    expect(await h.heldCapacityKeys()).toEqual([]);
    report.record({
      scenario: 'Answer refused with 403 (a definite outcome)',
      injected: 'the simulator answered the answer command with 403',
      observed: 'the slot was given back at once and the message reported failed for a retry',
      figures: {
        slotHeldWhileWaiting: await h.slotHeld(id),
        leakedSlots: (await h.heldCapacityKeys()).length,
      },
    });
  });
});

describe('a number remapped to another tenant between two tries of one call', () => {
  it('keeps the call admitted for the tenant that admitted it', async () => {
    const to = await h.mapNumber('acme');
    const { id, initiated } = incomingCall(to);
    p.telnyx.failNext('answer', SERVER_ERROR, 3);
    await invoke(initiated);
    await p.redis.set(`tenantmap:did:${to}`, 'globex');

    expect(await invoke(initiated)).toEqual([]);

    expect(decodeCallState(h.clientStateOf(id))).toEqual({ action: 'accept', tenantId: 'acme' });
    expect(await p.redis.smembers('cap:tenant:acme:active')).toEqual([id]);
    expect(await p.redis.exists('cap:tenant:globex:active')).toBe(0);
    const slotsInNewTenant = await p.redis.scard('cap:tenant:globex:active');
    const leaked = await leakedAfterHangups([id]);
    expect(leaked).toBe(0);
    report.record({
      scenario: 'Number remapped to another tenant between two tries of one call',
      injected:
        'the first answer failed (500 x3); the DID was then mapped to another tenant before the SQS retry',
      observed:
        'the retry found the call holding its slot and kept it with the tenant that admitted it; the hangup released it',
      figures: { slotsTakenUnderNewTenant: slotsInNewTenant, leakedSlots: leaked },
    });
  });
});

describe('a release that fails in Redis on call.hangup', () => {
  it('logs "capacity release failed", reports the record failed, and the retry frees the slot', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    await invoke(initiated);
    await p.redis.rename('cap:global:active', 'cap:global:active:saved');
    await p.redis.set('cap:global:active', 'not a set');
    const hangup = telnyxEvent('call.hangup', { call_control_id: id });

    const failedFirst = await invoke(hangup);
    expect(failedFirst).toEqual(['0']);
    expect(linesOf(id, 'capacity release failed')).toHaveLength(1);

    await p.redis.rename('cap:global:active:saved', 'cap:global:active');
    expect(await invoke(hangup)).toEqual([]);
    expect(await h.heldCapacityKeys()).toEqual([]);
    report.record({
      scenario: 'Release fails in Redis on call.hangup',
      injected:
        'the global active set replaced by a string (every release script call fails), then restored',
      observed:
        'the worker logged "capacity release failed" and reported the hangup failed; the retry released the slot',
      figures: {
        hangupFailuresReported: failedFirst.length,
        leakedSlots: (await h.heldCapacityKeys()).length,
      },
    });
  });
});

describe('a call.initiated older than the set-up window', () => {
  it('takes no slot, sends nothing and logs why', async () => {
    const occurredAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const { id, initiated } = incomingCall(await h.mapNumber('acme'), { occurredAt });

    expect(await invoke(initiated)).toEqual([]);

    expect(h.commandsOf(id)).toEqual([]);
    expect(await p.redis.keys('cap:*')).toEqual([]);
    expect(linesOf(id, 'call setup expired')).toEqual([
      expect.objectContaining({ occurredAt, limitSeconds: 60 }),
    ]);
    report.record({
      scenario: 'call.initiated delivered 10 minutes after it occurred',
      injected:
        'a call.initiated whose occurred_at is 600 s old (e.g. redelivered after the FIFO dedup window)',
      observed: 'no slot taken, no command sent, "call setup expired" logged with its age',
      figures: {
        commandsSent: h.commandsOf(id).length,
        leakedSlots: (await h.heldCapacityKeys()).length,
      },
    });
  });
});

describe('decisions counted once', () => {
  it('logs no "call denied" and counts no denial when the call ended before the deny answer', async () => {
    const { id, initiated } = incomingCall('+15550000000');
    p.telnyx.failNext('answer', CALL_ENDED);
    expect(await invoke(initiated)).toEqual([]);
    expect(linesOf(id, 'call denied')).toEqual([]);
    expect(metricCount('CallDenied')).toBe(0);
    report.record({
      scenario: 'Deny on a call that already ended',
      injected: 'the deny answer of an unmapped call got 422 90018',
      observed: 'no "call denied" line and no CallDenied metric',
      figures: {
        callDeniedMetrics: metricCount('CallDenied'),
        leakedSlots: (await h.heldCapacityKeys()).length,
      },
    });
  });

  it('counts CallAccepted once for a call.initiated delivered twice', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    const repeat = { ...initiated, data: { ...initiated.data, id: 'another-delivery' } };
    await invoke(initiated);
    await invoke(repeat);
    expect(metricCount('CallAccepted')).toBe(1);
    expect(linesOf(id, 'call accepted')).toHaveLength(1);
    report.record({
      scenario: 'The same call.initiated delivered twice (a new event id)',
      injected: 'a second delivery of the call.initiated of an admitted call',
      observed: 're-answered with the same command_id; CallAccepted and "call accepted" once',
      figures: {
        callAcceptedMetrics: metricCount('CallAccepted'),
        leakedSlots: await leakedAfterHangups([id]),
      },
    });
  });
});

describe('a Redis failure while resolving the tenant', () => {
  it('tells the caller "not configured" but reports Redis, not an unmapped number', async () => {
    const to = '+13125559876';
    await p.redis.hset(`tenantmap:did:${to}`, 'not', 'a string'); // GET on it fails
    const { id, initiated } = incomingCall(to);

    await invoke(initiated);
    await h.followDenial(id);

    expect(h.spoken(id)).toBe(NOT_CONFIGURED);
    expect(p.logMessages()).toContain('tenant resolve failed');
    expect(linesOf(id, 'call number not configured')).toEqual([]);
    expect(linesOf(id, 'call denied')).toEqual([
      expect.objectContaining({ reason: 'tenant_resolve_failed' }),
    ]);
    const emf = p.logs.find((l) => '_aws' in l && 'CallDenied' in l);
    expect(emf).toMatchObject({ Reason: 'tenant_resolve_failed' });
    report.record({
      scenario: 'Redis fails while resolving the tenant',
      injected: 'the DID key is a hash, so GET on it fails (WRONGTYPE)',
      observed:
        'the caller heard "not configured"; "tenant resolve failed" logged; CallDenied and "call denied" carry reason tenant_resolve_failed, not an unmapped number',
      figures: {
        deniedReason: String(emf?.Reason),
        leakedSlots: (await h.heldCapacityKeys()).length,
      },
    });
  });
});
