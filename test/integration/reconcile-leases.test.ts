import type { Redis } from 'ioredis';
import { freePort } from '../../local/redis-server.js';
import {
  CALL_ENDED,
  type Fault,
  SERVER_ERROR,
  startTelnyxSimulator,
  type TelnyxSimulator,
} from '../../local/telnyx-simulator.js';
import { callControlId } from '../../local/webhook-events.js';
import { LOG_MESSAGES } from '../../shared/logging/log-messages.js';
import { reclaimBoundSeconds } from '../../shared/reconciler/reconcile-settings.js';
import type { CallStatusSource } from '../../shared/telnyx/call-status.js';
import { reconcilerUnderTest, sdkCallStatus, sleep } from '../support/reconciler.js';
import { isolatedRedis } from '../support/redis.js';

let redis: Redis;
let telnyx: TelnyxSimulator;
let status: CallStatusSource;

beforeAll(async () => {
  ({ redis } = await isolatedRedis());
  telnyx = await startTelnyxSimulator();
  status = sdkCallStatus(telnyx.baseUrl);
});
afterAll(async () => {
  redis.disconnect();
  await telnyx.stop();
});
beforeEach(() => {
  telnyx.statusRequests.length = 0;
});

/** Admits `count` calls for `tenant` that Telnyx reports up; returns their ids. */
async function liveCalls(
  limiter: { tryAcquire(id: string, tenant: string): Promise<{ admitted: boolean }> },
  tenant: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, callControlId);
  for (const id of ids) {
    expect(await limiter.tryAcquire(id, tenant)).toMatchObject({ admitted: true });
    telnyx.startCall(id);
  }
  return ids;
}

describe('calls longer than their lease', () => {
  it('keeps a live call in its slot past CAPACITY_TTL_SECONDS, so a third call to a tenant capped at 2 is denied', async () => {
    const r = reconcilerUnderTest(redis, status, { capacityTtlSeconds: 2 });
    const ids = await liveCalls(r.limiter, 'acme', 2);

    for (let elapsed = 0; elapsed < 3200; elapsed += 500) {
      await r.run();
      await sleep(500);
    }

    expect(await r.limiter.tryAcquire(callControlId(), 'acme')).toEqual({
      admitted: false,
      reason: 'tenant_at_capacity',
    });
    expect((await r.tenantActive('acme')).sort()).toEqual([...ids].sort());
    expect((await r.globalActive()).sort()).toEqual([...ids].sort());
    expect(r.metrics.renewedTotal).toBeGreaterThanOrEqual(2);
  });

  it('keeps the active sets, leases and call records alive for another CAPACITY_TTL_SECONDS', async () => {
    const r = reconcilerUnderTest(redis, status, { capacityTtlSeconds: 60, checkSeconds: 1 });
    const [id] = await liveCalls(r.limiter, 'acme', 1);
    const { capPrefix } = r.settings;
    await redis.expire(`${capPrefix}:global:active`, 5);
    await redis.expire(`${capPrefix}:tenant:acme:active`, 5);
    await redis.expire(`${capPrefix}:call:${id}`, 5);
    await sleep(1100);

    const summary = await r.run();

    expect(summary).toMatchObject({ due: 1, alive: 1, renewed: 1, reclaimed: 0 });
    for (const key of [
      `${capPrefix}:global:active`,
      `${capPrefix}:tenant:acme:active`,
      `${capPrefix}:global:leases`,
      `${capPrefix}:tenant:acme:leases`,
      `${capPrefix}:call:${id}`,
    ]) {
      expect(await redis.ttl(key)).toBeGreaterThan(55);
    }
  });

  it('puts a live call back into active sets that expired while its lease still held', async () => {
    const r = reconcilerUnderTest(redis, status, { capacityTtlSeconds: 2 });
    const [id] = await liveCalls(r.limiter, 'acme', 1);
    await redis.del(
      `${r.settings.capPrefix}:global:active`,
      `${r.settings.capPrefix}:tenant:acme:active`,
    );

    await r.run();

    expect(await r.globalActive()).toEqual([id]);
    expect(await r.tenantActive('acme')).toEqual([id]);
  });
});

describe('calls whose hangup never arrives', () => {
  it('reclaims the slot within the documented bound once Telnyx reports the call ended', async () => {
    const r = reconcilerUnderTest(redis, status, { capacityTtlSeconds: 60, checkSeconds: 1 });
    const [gone, live] = await liveCalls(r.limiter, 'acme', 2);
    const endedAt = Date.now();
    telnyx.endCall(gone as string);

    while (
      Date.now() - endedAt < 10_000 &&
      (await r.tenantActive('acme')).includes(gone as string)
    ) {
      await r.run();
      await sleep(250);
    }

    const delayMs = Date.now() - endedAt;
    expect(delayMs).toBeLessThanOrEqual(reclaimBoundSeconds(r.settings) * 1000);
    expect(await r.tenantActive('acme')).toEqual([live]);
    expect(await r.globalActive()).toEqual([live]);
    expect(r.metrics.reclaimedTotal).toBe(1);
    const reclaimed = r.logger.entries.filter((e) => e.message === LOG_MESSAGES.slotReclaimed);
    expect(reclaimed.map((e) => e.extra)).toEqual([{ callControlId: gone, tenantId: 'acme' }]);
    // Released as a hangup releases: a late call.initiated of that call takes no slot.
    expect(await r.limiter.tryAcquire(gone as string, 'acme')).toEqual({
      admitted: false,
      reason: 'call_ended',
    });
  });

  it.each([
    ['is unknown to Telnyx (404)', () => undefined],
    ['gets 422 90018 (call has already ended)', () => telnyx.failNext('status', CALL_ENDED)],
  ])('reclaims a call that %s', async (_label, inject) => {
    const r = reconcilerUnderTest(redis, status, { capacityTtlSeconds: 2 });
    const id = callControlId();
    await r.limiter.tryAcquire(id, 'acme');
    inject();

    const summary = await r.run();

    expect(summary).toMatchObject({ due: 1, ended: 1, reclaimed: 1, renewed: 0 });
    expect(await r.tenantActive('acme')).toEqual([]);
  });

  it('does not bring back a call whose hangup released it while Telnyx was being asked', async () => {
    const r = reconcilerUnderTest(redis, status, { capacityTtlSeconds: 2 });
    const [id] = await liveCalls(r.limiter, 'acme', 1);
    const hangupMidRun: CallStatusSource = {
      async status(callId) {
        await r.limiter.release(callId, { tenantIdHint: 'acme' });
        return { state: 'alive' };
      },
    };

    const summary = await r.run({ callStatus: hangupMidRun });

    expect(summary).toMatchObject({ due: 1, alive: 1, renewed: 0 });
    expect(await r.tenantActive('acme')).toEqual([]);
    expect(await redis.zscore(`${r.settings.capPrefix}:global:leases`, id as string)).toBeNull();
  });
});

describe('Telnyx unreachable', () => {
  const failingStatus = (fault: Fault) => {
    telnyx.failNext('status', fault, 2);
    return status;
  };

  it.each([
    ['refuses connections', async () => sdkCallStatus(`http://127.0.0.1:${await freePort()}/v2`)],
    ['answers 500', async () => failingStatus(SERVER_ERROR)],
    ['does not answer in time', async () => failingStatus('hang')],
  ])('renews, never releases, when Telnyx %s', async (_label, source) => {
    const callStatus = await source();
    const r = reconcilerUnderTest(redis, callStatus, { capacityTtlSeconds: 2 });
    const ids = await liveCalls(r.limiter, 'acme', 2);

    const summary = await r.run();

    expect(summary).toMatchObject({ due: 2, unknown: 2, renewed: 2, reclaimed: 0, ended: 0 });
    expect((await r.tenantActive('acme')).sort()).toEqual([...ids].sort());
    expect(r.logger.messages('warn')).toEqual([
      LOG_MESSAGES.callStatusUnknown,
      LOG_MESSAGES.callStatusUnknown,
    ]);
    expect(r.metrics.unknownTotal).toBe(2);
  });
});

describe('the cost of a run', () => {
  it('asks Telnyx once per call when two runs overlap, and the second does nothing', async () => {
    const r = reconcilerUnderTest(redis, status, {
      capacityTtlSeconds: 2,
      tenantConcurrencyCapDefault: 10,
    });
    const ids = await liveCalls(r.limiter, 'acme', 10);

    const summaries = await Promise.all([r.run(), r.run()]);

    expect(summaries.map((s) => s.locked).sort()).toEqual([false, true]);
    expect([...telnyx.statusRequests].sort()).toEqual([...ids].sort());
  });

  it('asks about each live call at most once per check period, however often it runs', async () => {
    const r = reconcilerUnderTest(redis, status, {
      capacityTtlSeconds: 60,
      checkSeconds: 30,
      tenantConcurrencyCapDefault: 10,
    });
    const ids = await liveCalls(r.limiter, 'acme', 5);
    await redis.zadd(`${r.settings.capPrefix}:global:leases`, 0, ids[0] as string);

    for (let run = 0; run < 5; run += 1) await r.run();

    expect(telnyx.statusRequests).toEqual([ids[0]]);
  });

  it('asks about at most RECONCILE_BATCH_SIZE calls per run, the soonest expiring first', async () => {
    const r = reconcilerUnderTest(redis, status, {
      capacityTtlSeconds: 2,
      batchSize: 10,
      tenantConcurrencyCapDefault: 25,
    });
    const ids = await liveCalls(r.limiter, 'acme', 25);
    const leases = `${r.settings.capPrefix}:global:leases`;
    const soonest = ids.slice(15);
    for (const [i, id] of soonest.entries()) await redis.zadd(leases, i + 1, id);

    const summary = await r.run();

    expect(summary).toMatchObject({ due: 10, renewed: 10 });
    expect([...telnyx.statusRequests].sort()).toEqual([...soonest].sort());
  });
});
