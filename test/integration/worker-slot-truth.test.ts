import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { CALL_ENDED, SERVER_ERROR } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { decodeCallState } from '../../shared/calls/client-state.js';
import { callHelpers, NOT_CONFIGURED } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// Every call's slot is what Redis says it is, however its Telnyx commands and Redis calls fail.
let p: Pipeline;
let h: ReturnType<typeof callHelpers>;
beforeAll(async () => {
  p = await startPipeline({ TELNYX_TIMEOUT_MS: '200' });
  h = callHelpers(p);
});
afterAll(() => p.stop());
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

describe('an answer that fails without a definite outcome', () => {
  it('keeps the slot while the message waits, and the retry re-answers counting the call once', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    p.telnyx.failNext('answer', SERVER_ERROR, 3); // the first try and the SDK's two retries

    expect(await invoke(initiated)).toEqual(['0']);
    expect(await h.slotHeld(id)).toBe(true);
    expect(await invoke(initiated)).toEqual([]);

    expect(h.carriedOut(id, 'answer')).toBe(1);
    expect(decodeCallState(h.clientStateOf(id))).toEqual({ action: 'accept', tenantId: 'acme' });
    const [rpmKey] = await p.redis.keys('cap:tenant:acme:rpm:*');
    expect(await p.redis.get(rpmKey as string)).toBe('1');
    expect(metricCount('CallAccepted')).toBe(1);
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
  });

  it('gives the slot back when Telnyx refuses the answer with a 4xx (not carried out)', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    p.telnyx.failNext('answer', { status: 403, body: { errors: [{ code: '10010' }] } });
    expect(await invoke(initiated)).toEqual(['0']);
    expect(await h.slotHeld(id)).toBe(false);
    expect(await h.heldCapacityKeys()).toEqual([]);
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
    await h.hangup(id);
    expect(await h.heldCapacityKeys()).toEqual([]);
  });
});

describe('a release that fails in Redis on call.hangup', () => {
  it('logs "capacity release failed", reports the record failed, and the retry frees the slot', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    await invoke(initiated);
    await p.redis.rename('cap:global:active', 'cap:global:active:saved');
    await p.redis.set('cap:global:active', 'not a set');
    const hangup = telnyxEvent('call.hangup', { call_control_id: id });

    expect(await invoke(hangup)).toEqual(['0']);
    expect(linesOf(id, 'capacity release failed')).toHaveLength(1);

    await p.redis.rename('cap:global:active:saved', 'cap:global:active');
    expect(await invoke(hangup)).toEqual([]);
    expect(await h.heldCapacityKeys()).toEqual([]);
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
  });
});

describe('decisions counted once', () => {
  it('logs no "call denied" and counts no denial when the call ended before the deny answer', async () => {
    const { id, initiated } = incomingCall('+15550000000');
    p.telnyx.failNext('answer', CALL_ENDED);
    expect(await invoke(initiated)).toEqual([]);
    expect(linesOf(id, 'call denied')).toEqual([]);
    expect(metricCount('CallDenied')).toBe(0);
  });

  it('counts CallAccepted once for a call.initiated delivered twice', async () => {
    const { id, initiated } = incomingCall(await h.mapNumber('acme'));
    const repeat = { ...initiated, data: { ...initiated.data, id: 'another-delivery' } };
    await invoke(initiated);
    await invoke(repeat);
    expect(metricCount('CallAccepted')).toBe(1);
    expect(linesOf(id, 'call accepted')).toHaveLength(1);
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
  });
});
