import { lambdaContext } from '../../local/lambda-context.js';
import { SERVER_ERROR } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { decodeCallState } from '../../shared/calls/client-state.js';
import { loadReconcilerConfig } from '../../shared/config/reconciler-config.js';
import {
  reclaimBoundSeconds,
  renewalWindowSeconds,
} from '../../shared/reconciler/reconcile-settings.js';
import { callHelpers } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { sleep } from '../support/reconciler.js';
import { figureRecorder } from './figures.js';

// The real worker and the real reconciler handler on one Redis and the Telnyx simulator,
// with leases short enough to run out during the test: CAPACITY_TTL_SECONDS = 3, the
// reconciler every second, a call asked about once its last renewal is 1 s old.
const ENV = {
  CAPACITY_TTL_SECONDS: '3',
  RECONCILE_INTERVAL_SECONDS: '1',
  RECONCILE_CHECK_SECONDS: '1',
  TENANT_CONCURRENCY_CAP_DEFAULT: '2',
  GLOBAL_CONCURRENCY_CAP: '100',
};
const DEFAULT_CHECK_SECONDS = 300;
let p: Pipeline;
let reconcile: () => Promise<unknown>;
let stopReconciler: () => Promise<void>;
let calls: ReturnType<typeof callHelpers>;
const settings = loadReconcilerConfig({
  ...ENV,
  REDIS_URL: 'redis://x',
  TELNYX_API_KEY: 'k',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '100',
});
const report = figureRecorder('reconciler-faults');

beforeAll(async () => {
  p = await startPipeline(ENV);
  calls = callHelpers(p);
  const reconciler = (await import('../../functions/reconciler/handler.js')) as unknown as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
    shutdown: () => Promise<void>;
  };
  reconcile = () => reconciler.handler({}, lambdaContext('reconciler'));
  stopReconciler = reconciler.shutdown;
});
afterAll(async () => {
  report.write({ ...ENV, reclaimBoundSeconds: reclaimBoundSeconds(settings) });
  await stopReconciler();
  await p.stop();
});

/** Admits a call to `did` through ingest and the worker; Telnyx knows it as up. */
async function admitted(did: string): Promise<string> {
  const id = callControlId();
  p.telnyx.startCall(id);
  await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to: did }));
  return id;
}

const answeredAs = (id: string) => decodeCallState(calls.clientStateOf(id))?.action;

/** Runs the reconciler every `everyMs` for `forMs`, as its schedule would. */
async function reconcileFor(forMs: number, everyMs: number): Promise<number> {
  let runs = 0;
  for (const started = Date.now(); Date.now() - started < forMs; runs += 1) {
    await reconcile();
    await sleep(everyMs);
  }
  return runs;
}

it('keeps two calls that outlive their 3 s leases in their slots, so a third call to a tenant capped at 2 is denied', async () => {
  // Control, what main did: two calls whose leases have run out (scored as expired) and
  // that nothing renews; the next call's acquire reclaims them and admits a third.
  const control = await calls.mapNumber('no-reconciler');
  const controlCalls = [await admitted(control), await admitted(control)];
  for (const id of controlCalls) {
    await p.redis.zadd('cap:global:leases', 'XX', 0, id);
    await p.redis.zadd('cap:tenant:no-reconciler:leases', 'XX', 0, id);
  }
  const controlThird = await admitted(control);

  const did = await calls.mapNumber('acme');
  const live = [await admitted(did), await admitted(did)];
  const runs = await reconcileFor(3500, 500);
  const third = await admitted(did);

  expect(live.map(answeredAs)).toEqual(['accept', 'accept']);
  expect(answeredAs(third)).toBe('deny');
  expect(await p.redis.smembers('cap:tenant:acme:active')).toEqual(expect.arrayContaining(live));
  // Without renewal the same pattern admits a third live call over the cap of 2.
  expect(answeredAs(controlThird)).toBe('accept');
  for (const id of [...live, third, ...controlCalls, controlThird]) await calls.hangup(id);
  expect(await calls.heldCapacityKeys()).toEqual([]);

  report.record({
    scenario: 'Calls longer than their lease',
    injected:
      'CAPACITY_TTL_SECONDS = 3, tenant cap 2: two admitted calls stay up 3.5 s while the reconciler handler runs every 0.5 s; then a third call. Control: another tenant whose two live calls have expired leases that nothing renews (main, for every call older than its lease)',
    observed:
      'the reconciler renewed both live calls, the third call was answered and told "at capacity"; in the control the third call was admitted with two live calls already up',
    figures: {
      reconcilerRuns: runs,
      overAdmittedCalls: answeredAs(third) === 'accept' ? 1 : 0,
      overAdmittedCallsWithoutRenewal: answeredAs(controlThird) === 'accept' ? 1 : 0,
      leakedSlots: (await calls.heldCapacityKeys()).length,
    },
  });
});

it('reclaims the slot of a call whose hangup never arrives, within the documented bound, once Telnyx reports it ended', async () => {
  const did = await calls.mapNumber('lost-hangup');
  const [gone, staying] = [await admitted(did), await admitted(did)];
  p.telnyx.endCall(gone); // the call ends; its call.hangup webhook is lost
  const endedAt = Date.now();

  while (Date.now() - endedAt < 10_000 && (await calls.slotHeld(gone))) {
    await reconcile();
    await sleep(250);
  }
  const delayMs = Date.now() - endedAt;

  expect(await calls.slotHeld(gone)).toBe(false);
  expect(await calls.slotHeld(staying)).toBe(true);
  expect(delayMs).toBeLessThanOrEqual(reclaimBoundSeconds(settings) * 1000);
  const reclaimedLines = p.logs.filter((l) => l.message === 'slot reclaimed');
  expect(reclaimedLines).toEqual([
    expect.objectContaining({ callControlId: gone, tenantId: 'lost-hangup' }),
  ]);
  await calls.hangup(staying);
  expect(await calls.heldCapacityKeys()).toEqual([]);

  report.record({
    scenario: 'A call whose hangup never arrives',
    injected:
      'an admitted call ends at Telnyx (status is_alive: false) and its call.hangup is never delivered; the reconciler handler runs every 0.25 s',
    observed:
      'the slot was released through the hangup release path (a "slot reclaimed" line with the call and tenant) within the bound; the other live call kept its slot',
    figures: {
      reclaimDelayMs: delayMs,
      reclaimBoundMs: reclaimBoundSeconds(settings) * 1000,
      reclaimBoundAtDefaultsSeconds: reclaimBoundSeconds({
        ...settings,
        capacityTtlSeconds: 7200,
        intervalSeconds: 60,
        checkSeconds: DEFAULT_CHECK_SECONDS,
      }),
      leakedSlots: (await calls.heldCapacityKeys()).length,
    },
  });
});

it('asks Telnyx about each live call at most once per check period', async () => {
  const did = await calls.mapNumber('status-cost');
  const live = [await admitted(did), await admitted(did)];
  p.telnyx.statusRequests.length = 0;

  const started = Date.now();
  const runs = await reconcileFor(6000, 250);
  const elapsedS = (Date.now() - started) / 1000;
  const perCall = p.telnyx.statusRequests.length / live.length;
  // A renewal lasts CAPACITY_TTL_SECONDS; the call is due again after TTL - window seconds.
  const periodS = settings.capacityTtlSeconds - renewalWindowSeconds(settings);
  const perPeriod = perCall / (elapsedS / periodS);

  expect(perPeriod).toBeLessThanOrEqual(1.0 + periodS / elapsedS);
  for (const id of live) await calls.hangup(id);

  report.record({
    scenario: 'Telnyx status requests per live call',
    injected: `two live calls; the reconciler handler runs every 0.25 s for ${elapsedS.toFixed(1)} s (four times per check period)`,
    observed:
      'each call was asked about at most once per check period, however often the reconciler ran',
    figures: {
      reconcilerRuns: runs,
      statusRequests: p.telnyx.statusRequests.length,
      statusRequestsPerLiveCallPerCheckPeriod: Number(perPeriod.toFixed(2)),
      statusRequestsPerLiveCallPerHourAtTheseSettings: Math.round((perCall / elapsedS) * 3600),
      statusRequestsPerLiveCallPerHourAtDefaults: Number(
        ((perPeriod * 3600) / DEFAULT_CHECK_SECONDS).toFixed(1),
      ),
    },
  });
});

it('keeps the slots of live calls while Telnyx answers every status request with 500', async () => {
  const did = await calls.mapNumber('telnyx-down');
  const live = [await admitted(did), await admitted(did)];
  p.telnyx.failNext('status', SERVER_ERROR, 1000);
  const before = p.telnyx.statusRequests.length;

  await reconcileFor(3500, 500);
  const third = await admitted(did);

  expect(answeredAs(third)).toBe('deny');
  const failedRequests = p.telnyx.statusRequests.length - before;
  const held = await p.redis.smembers('cap:tenant:telnyx-down:active');
  const releasedWhileUnknown = live.filter((id) => !held.includes(id)).length;
  expect(releasedWhileUnknown).toBe(0);
  for (const id of [...live, third]) await calls.hangup(id);

  report.record({
    scenario: 'Telnyx status unavailable (500)',
    injected:
      'every GET /v2/calls/{id} answered 500 for 3.5 s while two calls outlive their 3 s leases',
    observed:
      'no slot was released on an unknown status; the leases were renewed and a third call was denied at capacity',
    figures: {
      statusRequestsAnswered500: failedRequests,
      slotsReleasedWhileUnknown: releasedWhileUnknown,
      overAdmittedCalls: answeredAs(third) === 'accept' ? 1 : 0,
    },
  });
});
