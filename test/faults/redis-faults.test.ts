import { setTimeout as delay } from 'node:timers/promises';
import { LOCAL_HANDLER_ENV } from '../../local/handler-env.js';
import { type RedisServer, startRedisServer } from '../../local/redis-server.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { callHelpers, NOT_CONFIGURED, UNAVAILABLE } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { figureRecorder } from './figures.js';

// The worker runs against a redis-server of this file's own, which the tests stop, pause
// (SIGSTOP: a hung primary) and restart under it, while the handlers stay loaded.
const COMMAND_TIMEOUT_MS = Number(LOCAL_HANDLER_ENV.REDIS_COMMAND_TIMEOUT_MS);
const BOUND_MS = 3 * COMMAND_TIMEOUT_MS;

let server: RedisServer;
let p: Pipeline;
let calls: ReturnType<typeof callHelpers>;
const report = figureRecorder('redis-faults');

beforeAll(async () => {
  server = await startRedisServer();
  p = await startPipeline({}, { redisUrl: server.url });
  p.redis.on('error', () => {}); // the test's own handle sees the outages too
  calls = callHelpers(p);
});
afterAll(async () => {
  report.write({ commandTimeoutMs: COMMAND_TIMEOUT_MS });
  await p.stop();
  await server.stop();
});
beforeEach(() => {
  p.logs.length = 0;
});

/** A new call to a number mapped to `tenantId`, admitted or not by the worker. */
async function newCall(to: string) {
  const id = callControlId();
  return { id, initiated: telnyxEvent('call.initiated', { call_control_id: id, to }) };
}

/** Waits until the worker's client is connected again (seen from Redis: a second client). */
async function waitForWorkerReconnect(): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const list = (await p.redis.client('LIST')) as string;
    const others = list.split('\n').filter((l) => l.includes('id=') && !l.includes('client|list'));
    if (others.length > 0) return;
    await delay(50);
  }
  throw new Error('the worker never reconnected to Redis');
}

/** An accepted call that holds a slot, for the release path. */
async function acceptedCall(tenantId: string) {
  const call = await newCall(await calls.mapNumber(tenantId));
  await p.deliver(call.initiated);
  expect(calls.actions(call.id)).toEqual(['answer']);
  expect(await calls.slotHeld(call.id)).toBe(true);
  return call.id;
}

it('keeps answering through a Redis that is stopped mid-stream, then works again once restarted on the same port', async () => {
  const to = await calls.mapNumber('acme');
  const held = await acceptedCall('acme');
  await server.stop();

  // Resolution: the mapped number reads as not configured, within the command timeout.
  const down = await newCall(to);
  const resolve = await calls.invokeTimed(down.initiated);
  expect(resolve.response).toEqual({ batchItemFailures: [] });
  expect(resolve.ms).toBeLessThan(BOUND_MS);
  expect(p.logMessages()).toContain('tenant resolve failed');
  await calls.followDenial(down.id);
  expect(calls.actions(down.id)).toEqual(['answer', 'speak', 'hangup']);
  expect(calls.spoken(down.id)).toBe(NOT_CONFIGURED);

  // Release: logged, and the hangup is reported failed so SQS retries it (release is idempotent).
  const release = await calls.invokeTimed(telnyxEvent('call.hangup', { call_control_id: held }));
  expect(release.response?.batchItemFailures).toHaveLength(1);
  expect(release.ms).toBeLessThan(BOUND_MS);
  expect(p.logMessages()).toContain('capacity release failed');

  // Same port, nothing restarted on our side; an in-memory Redis comes back empty.
  server = await startRedisServer(server.port);
  const restartedAt = performance.now();
  await p.redis.ping();
  await waitForWorkerReconnect();
  const reconnectMs = performance.now() - restartedAt;
  const after = [
    await newCall(await calls.mapNumber('acme')),
    await newCall(await calls.mapNumber('globex')),
  ];
  for (const call of after) await p.deliver(call.initiated);
  for (const call of after) expect(calls.actions(call.id)).toEqual(['answer']);
  for (const call of after) await calls.hangup(call.id);
  expect(await calls.heldCapacityKeys()).toEqual([]);

  report.record({
    scenario: 'Redis stopped mid-stream, restarted on the same port',
    injected:
      'redis-server terminated (SIGTERM) between calls; later a new redis-server on the same port (in memory, so empty)',
    observed:
      'a call to a mapped number was answered, told "not configured" and hung up; a hangup logged "capacity release failed" and was reported failed for an SQS retry; after the restart the worker reconnected by itself and the next calls were admitted and released',
    figures: {
      resolutionFailureWorkerMs: Math.round(resolve.ms),
      releaseFailureWorkerMs: Math.round(release.ms),
      boundMs: BOUND_MS,
      workerReconnectAfterRestartMs: Math.round(reconnectMs),
      callsDuringOutage: 1,
      callsAfterRestart: after.length,
      callsAdmittedAfterRestart: after.filter((c) => calls.carriedOut(c.id, 'answer') === 1).length,
      messagesRetried:
        (resolve.response?.batchItemFailures.length ?? 0) +
        (release.response?.batchItemFailures.length ?? 0),
      leakedSlots: (await calls.heldCapacityKeys()).length,
    },
  });
});

it('answers within the command timeout while Redis hangs (SIGSTOP), and frees the slot whose release waited once it resumes', async () => {
  await p.redis.flushdb();
  const to = await calls.mapNumber('acme');
  const held = await acceptedCall('acme');
  server.pause();
  try {
    const hung = await newCall(to);
    const resolve = await calls.invokeTimed(hung.initiated);
    expect(resolve.response).toEqual({ batchItemFailures: [] });
    expect(resolve.ms).toBeLessThan(BOUND_MS);
    expect(p.logMessages()).toContain('tenant resolve failed');
    await calls.followDenial(hung.id);
    expect(calls.spoken(hung.id)).toBe(NOT_CONFIGURED);

    const release = await calls.invokeTimed(telnyxEvent('call.hangup', { call_control_id: held }));
    expect(release.response?.batchItemFailures).toHaveLength(1);
    expect(release.ms).toBeLessThan(BOUND_MS);
    expect(p.logMessages()).toContain('capacity release failed');

    server.resume();
    // The release the worker wrote to the hung connection runs once Redis wakes up.
    let freedAfterResume = false;
    for (let i = 0; i < 20 && !freedAfterResume; i += 1) {
      freedAfterResume = !(await calls.slotHeld(held));
      if (!freedAfterResume) await delay(50);
    }
    expect(freedAfterResume).toBe(true);

    const next = await newCall(await calls.mapNumber('acme'));
    await p.deliver(next.initiated);
    expect(calls.actions(next.id)).toEqual(['answer']);
    await calls.hangup(next.id);
    await calls.hangup(hung.id);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Redis hung (SIGSTOP), then resumed',
      injected: 'redis-server stopped with SIGSTOP: connections stay open, nothing is answered',
      observed:
        'resolution timed out into "not configured"; a hangup logged "capacity release failed" and was reported failed for an SQS retry; on SIGCONT the release queued on the connection ran and freed the slot; the next call was admitted without restarting anything',
      figures: {
        resolutionFailureWorkerMs: Math.round(resolve.ms),
        releaseFailureWorkerMs: Math.round(release.ms),
        boundMs: BOUND_MS,
        slotFreedAfterResume: freedAfterResume,
        callsAdmittedAfterResume: calls.carriedOut(next.id, 'answer'),
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  } finally {
    server.resume();
  }
});

it('tells the caller "unable to accept" while Redis refuses writes (CLIENT PAUSE WRITE, as in a failover), and leaks nothing once writes resume', async () => {
  await p.redis.flushdb();
  const held = await acceptedCall('acme');
  const paused = await newCall(await calls.mapNumber('acme'));
  await p.redis.client('PAUSE', 10_000, 'WRITE');
  let acquire: Awaited<ReturnType<typeof calls.invokeTimed>>;
  let release: Awaited<ReturnType<typeof calls.invokeTimed>>;
  try {
    // Resolution (a read) still works; the acquire script (a write) waits past the timeout.
    acquire = await calls.invokeTimed(paused.initiated);
    expect(acquire.response).toEqual({ batchItemFailures: [] });
    expect(acquire.ms).toBeLessThan(BOUND_MS);
    const messages = p.logMessages();
    expect(messages).toContain('capacity evaluation failed');
    expect(messages).toContain('capacity check failed');
    expect(messages).not.toContain('tenant resolve failed');
    await calls.followDenial(paused.id);
    expect(calls.actions(paused.id)).toEqual(['answer', 'speak', 'hangup']);
    expect(calls.spoken(paused.id)).toBe(UNAVAILABLE);

    release = await calls.invokeTimed(telnyxEvent('call.hangup', { call_control_id: held }));
    expect(release.response?.batchItemFailures).toHaveLength(1);
    expect(release.ms).toBeLessThan(BOUND_MS);
    expect(p.logMessages()).toContain('capacity release failed');
  } finally {
    await p.redis.client('UNPAUSE');
  }
  // The acquire that timed out still ran when writes resumed, ahead of the call's release.
  await p.redis.ping();
  const deniedCallHeldSlotAfterUnpause = await calls.slotHeld(paused.id);
  await calls.hangup(paused.id);
  expect(await calls.slotHeld(paused.id)).toBe(false);
  const next = await newCall(await calls.mapNumber('globex'));
  await p.deliver(next.initiated);
  expect(calls.actions(next.id)).toEqual(['answer']);
  await calls.hangup(next.id);
  // The writes that waited ran in order on unpause (acquire, then the releases): nothing held.
  expect(await p.redis.smembers('cap:global:active')).toEqual([]);
  expect(await calls.heldCapacityKeys()).toEqual([]);

  report.record({
    scenario: 'Redis refusing writes (CLIENT PAUSE WRITE)',
    injected:
      'CLIENT PAUSE 10000 WRITE on the server: reads (the DID lookup) answer, the acquire and release scripts wait',
    observed:
      'the mapped call was resolved, then "capacity evaluation failed" + "capacity check failed" and the caller heard "unable to accept"; a hangup logged "capacity release failed" and was reported failed for an SQS retry; after UNPAUSE the writes that had waited ran in order, the timed-out acquire of the denied call included (see deniedCallHeldSlotAfterUnpause), and once its hangup was handled no slot was left held',
    figures: {
      acquireFailureWorkerMs: Math.round(acquire.ms),
      releaseFailureWorkerMs: Math.round(release.ms),
      boundMs: BOUND_MS,
      deniedCallHeldSlotAfterUnpause,
      callsAdmittedAfterUnpause: calls.carriedOut(next.id, 'answer'),
      leakedSlots: (await calls.heldCapacityKeys()).length,
    },
  });
});
