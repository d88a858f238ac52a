/**
 * The limiter's Lua scripts. Each runs atomically on the primary; the global and
 * tenant keys live in different hash slots, so these need cluster-mode-disabled Redis.
 */

/**
 * acquire: admit one call against the global and tenant caps.
 *
 * KEYS[1]  global active set            `${cap}:global:active`          (contract)
 * KEYS[2]  tenant active set            `${cap}:tenant:${t}:active`     (contract)
 * KEYS[3]  tenant RPM counter           `${cap}:tenant:${t}:rpm:${min}` (contract, string int)
 * KEYS[4]  tenant concurrency override  `${tm}:tenant:${t}:cap:concurrency` (read only)
 * KEYS[5]  tenant RPM override          `${tm}:tenant:${t}:cap:rpm`         (read only)
 * KEYS[6]  global lease zset            `${cap}:global:leases`   member -> expiry (server s)
 * KEYS[7]  tenant lease zset            `${cap}:tenant:${t}:leases`
 * KEYS[8]  call record                  `${cap}:call:${id}` -> tenant id
 * KEYS[9]  ended-call marker            `${cap}:call:${id}:ended`
 * ARGV[1]  call_control_id (the member)
 * ARGV[2]  tenant id
 * ARGV[3]  global concurrency cap          (calls)
 * ARGV[4]  tenant concurrency cap default  (calls)
 * ARGV[5]  tenant calls-per-minute default (calls per UTC minute)
 * ARGV[6]  CAPACITY_TTL_SECONDS            (s: set TTLs, lease length, call record TTL)
 * ARGV[7]  reclaim batch size              (expired leases removed per scope per call)
 * Returns  'ok' | 'global_at_capacity' | 'tenant_at_capacity' | 'tenant_rate_limited'
 *          | 'call_ended' (the call was already released; nothing written)
 */
export const ACQUIRE_SCRIPT = `
local member, tenant = ARGV[1], ARGV[2]
local ttl, batch = tonumber(ARGV[6]), tonumber(ARGV[7])

-- Overrides are decided before any write: a script that errors halfway is not rolled back.
local function cap_or_default(key, default)
  local n = tonumber(redis.call('GET', key))
  if n and n > 0 and n < math.huge then return n end
  return tonumber(default)
end
local tenant_cap = cap_or_default(KEYS[4], ARGV[4])
local rpm_cap = cap_or_default(KEYS[5], ARGV[5])

if redis.call('EXISTS', KEYS[9]) == 1 then return 'call_ended' end

local time = redis.call('TIME')
local now = tonumber(time[1])

-- Leases: drop members whose lease ran out (a lost release), and give a lease to
-- members written without one (older components) so they age out too.
local function reclaim(set, leases)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, batch)
  if #expired > 0 then
    redis.call('SREM', set, unpack(expired))
    redis.call('ZREM', leases, unpack(expired))
  end
  local size = redis.call('SCARD', set)
  if size > redis.call('ZCARD', leases) then
    for _, m in ipairs(redis.call('SMEMBERS', set)) do
      redis.call('ZADD', leases, 'NX', now + ttl, m)
    end
  end
  return size
end
local global_size = reclaim(KEYS[1], KEYS[6])
local tenant_size = reclaim(KEYS[2], KEYS[7])

-- A retried acquire of a call that holds its slot: ok, counted once.
if redis.call('SISMEMBER', KEYS[2], member) == 1 and redis.call('SISMEMBER', KEYS[1], member) == 1 then
  return 'ok'
end

if global_size >= tonumber(ARGV[3]) then return 'global_at_capacity' end
if tenant_size >= tenant_cap then return 'tenant_at_capacity' end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= rpm_cap then return 'tenant_rate_limited' end

local expiry = now + ttl
redis.call('SADD', KEYS[1], member)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SADD', KEYS[2], member)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[6], expiry, member)
redis.call('EXPIRE', KEYS[6], ttl)
redis.call('ZADD', KEYS[7], expiry, member)
redis.call('EXPIRE', KEYS[7], ttl)
if redis.call('INCR', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], 120) end
redis.call('SET', KEYS[8], tenant, 'EX', ttl)
return 'ok'
`;

/**
 * release: give back a call's slot, wherever it is held. Idempotent.
 *
 * KEYS[1]  call record        `${cap}:call:${id}` -> tenant id (deleted)
 * KEYS[2]  global active set  `${cap}:global:active`
 * KEYS[3]  global lease zset  `${cap}:global:leases`
 * KEYS[4]  ended-call marker  `${cap}:call:${id}:ended` (set, so a late acquire is refused)
 * ARGV[1]  call_control_id
 * ARGV[2]  CAP_PREFIX (the tenant's keys are named from the record, which only Redis holds)
 * ARGV[3]  marker TTL (s); '0' leaves no marker (the call goes on)
 * ARGV[4]  tenant id hint, used when the record is gone ('' when unknown)
 * Returns  1 when a held slot was released, 0 when the call held none
 */
export const RELEASE_SCRIPT = `
local member = ARGV[1]
local tenant = redis.call('GET', KEYS[1])
if not tenant and ARGV[4] ~= '' then tenant = ARGV[4] end
local released = redis.call('SREM', KEYS[2], member)
redis.call('ZREM', KEYS[3], member)
if tenant then
  local prefix = ARGV[2] .. ':tenant:' .. tenant
  released = released + redis.call('SREM', prefix .. ':active', member)
  redis.call('ZREM', prefix .. ':leases', member)
end
redis.call('DEL', KEYS[1])
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[4], '1', 'EX', ARGV[3]) end
if released > 0 then return 1 end
return 0
`;
