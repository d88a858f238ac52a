/**
 * The reconciler's Lua scripts: pick the calls whose leases near expiry (under a short lock,
 * so overlapping runs never ask Telnyx twice about a call) and renew the leases of calls
 * still up. Releases go through the limiter's own release script, the hangup's path.
 */

import { redisScript } from './scripts.js';

/**
 * due: take the reconciler lock and list the calls whose lease expires within the window.
 *
 * KEYS[1] lock          `${cap}:reconciler:lock`: the token of the run holding it
 * KEYS[2] globalLeases  `${cap}:global:leases`: member -> lease expiry (Redis server s)
 * ARGV[1] lockToken     this run's token (any unique string)
 * ARGV[2] lockTtlMs     how long the lock holds if the run dies (ms; longer than a run)
 * ARGV[3] windowSeconds a lease expiring within this many seconds from now is due (s)
 * ARGV[4] batchSize     most calls returned (the soonest expiring first)
 * ARGV[5] capPrefix     CAP_PREFIX (call records `${cap}:call:${id}` are named from it)
 * Returns  {'locked'} when another run holds the lock (nothing read), else
 *          {'ok', id1, tenant1, id2, tenant2, ...}: tenant '' when the call record is gone
 */
const DUE_LUA = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'locked'} end
-- Fractions of a second, so a call renewed late in one second is not due early in the next.
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1e6
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now + tonumber(ARGV[3]),
  'LIMIT', 0, tonumber(ARGV[4]))
local out = {'ok'}
local prefix = ARGV[5]
for _, member in ipairs(due) do
  out[#out + 1] = member
  out[#out + 1] = redis.call('GET', prefix .. ':call:' .. member) or ''
end
return out
`;

/** The due script; fields name the header's KEYS[1..2] then ARGV[1..5]. */
export const DUE_LEASES_SCRIPT = redisScript(
  DUE_LUA,
  ['lock', 'globalLeases'],
  ['lockToken', 'lockTtlMs', 'windowSeconds', 'batchSize', 'capPrefix'],
);

/**
 * renew: push the leases of calls still up one CAPACITY_TTL_SECONDS forward and keep their
 * sets alive. A call no longer in the global lease set (its hangup released it meanwhile)
 * is left alone, so a renewal never brings a released call back.
 *
 * KEYS[1] globalActive        `${cap}:global:active`  (contract: SADD + EXPIRE ttl)
 * KEYS[2] globalLeases        `${cap}:global:leases`
 * ARGV[1] capPrefix           CAP_PREFIX (tenant keys and call records are named from it)
 * ARGV[2] capacityTtlSeconds  CAPACITY_TTL_SECONDS (s: lease length from the server clock,
 *                             to the microsecond; set and record TTLs)
 * ARGV[3..] call_control_ids to renew
 * Returns  the number of calls renewed
 */
const RENEW_LUA = `
local prefix, ttl = ARGV[1], tonumber(ARGV[2])
local time = redis.call('TIME')
local expiry = tonumber(time[1]) + tonumber(time[2]) / 1e6 + ttl
local renewed = 0
for i = 3, #ARGV do
  local member = ARGV[i]
  if redis.call('ZSCORE', KEYS[2], member) then
    redis.call('ZADD', KEYS[2], expiry, member)
    redis.call('SADD', KEYS[1], member)
    local record = prefix .. ':call:' .. member
    local tenant = redis.call('GET', record)
    if tenant and tenant ~= '' then
      local scope = prefix .. ':tenant:' .. tenant
      redis.call('ZADD', scope .. ':leases', expiry, member)
      redis.call('EXPIRE', scope .. ':leases', ttl)
      redis.call('SADD', scope .. ':active', member)
      redis.call('EXPIRE', scope .. ':active', ttl)
      redis.call('EXPIRE', record, ttl)
    end
    renewed = renewed + 1
  end
end
if renewed > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return renewed
`;

/** The renew script; fields name the header's KEYS[1..2] then ARGV[1..2]; ids follow. */
export const RENEW_LEASES_SCRIPT = redisScript(
  RENEW_LUA,
  ['globalActive', 'globalLeases'],
  ['capPrefix', 'capacityTtlSeconds'],
);

/**
 * unlock: drop the reconciler lock if this run still holds it (it may have expired and
 * been taken by a later run, whose lock must stay).
 *
 * KEYS[1] lock       `${cap}:reconciler:lock`
 * ARGV[1] lockToken  this run's token
 * Returns  1 when the lock was dropped, 0 when another run (or none) held it
 */
const UNLOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The unlock script; fields name the header's KEYS[1] then ARGV[1]. */
export const UNLOCK_SCRIPT = redisScript(UNLOCK_LUA, ['lock'], ['lockToken']);
