import { type RedisServer, startRedisServer } from '../../local/redis-server.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { decodeCallState } from '../../shared/calls/client-state.js';
import { callHelpers, UNAVAILABLE } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// A Redis of this file's own, configured as the stack configures ElastiCache (noeviction),
// then filled to its maxmemory: writes are refused, nothing is evicted.
let server: RedisServer;
let p: Pipeline;
let h: ReturnType<typeof callHelpers>;
beforeAll(async () => {
  server = await startRedisServer();
  p = await startPipeline({}, { redisUrl: server.url });
  h = callHelpers(p);
});
afterAll(async () => {
  await p.stop();
  await server.stop();
});

/** Caps memory below what Redis already uses, as a full Redis is (writes refused, OOM). */
async function fillRedis(): Promise<void> {
  await p.redis.config('SET', 'maxmemory-policy', 'noeviction');
  const info = (await p.redis.info('memory')) as string;
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
  await p.redis.config('SET', 'maxmemory', String(Math.floor(used / 2)));
  await expect(p.redis.set('one-more', 'x')).rejects.toThrow(/^OOM/);
}

it('fails closed when Redis is full: the caller hears "unable to accept" and no slot is taken', async () => {
  const to = await h.mapNumber('acme');
  const held = callControlId();
  await p.deliver(telnyxEvent('call.initiated', { call_control_id: held, to }));
  expect(await h.slotHeld(held)).toBe(true);
  await fillRedis();

  const id = callControlId();
  await h.invokeTimed(telnyxEvent('call.initiated', { call_control_id: id, to }));
  await h.followDenial(id);

  expect(decodeCallState(h.clientStateOf(id))).toEqual({ action: 'deny', message: 'unavailable' });
  expect(h.spoken(id)).toBe(UNAVAILABLE);
  expect(await h.slotHeld(id)).toBe(false);
  expect(await p.redis.exists(`cap:call:${id}`)).toBe(0);
  // Nothing was evicted: the call admitted before Redis filled up still holds its slot.
  expect(await p.redis.smembers('cap:global:active')).toEqual([held]);
  expect(await p.redis.get(`tenantmap:did:${to}`)).toBe('acme');
  // A release still runs on a full Redis: it only frees memory.
  await h.hangup(held);
  expect(await h.heldCapacityKeys()).toEqual([]);
});
