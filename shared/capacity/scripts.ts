/**
 * The limiter's Lua scripts. Each runs atomically on the primary; the global and
 * tenant keys live in different hash slots, so these need cluster-mode-disabled Redis.
 * Every `redis.call` costs server time, so the admit path is kept to about 20 of them.
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
 * KEYS[8]  call record                  `${cap}:call:${id}`: tenant id while the call holds a
 *                                       slot, '' once released (a late acquire is refused)
 * ARGV[1]  call_control_id (the member)
 * ARGV[2]  tenant id (never '')
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
local overrides = redis.call('MGET', KEYS[4], KEYS[5])
local function cap_or_default(value, default)
  local n = tonumber(value)
  if n and n > 0 and n < math.huge then return n end
  return tonumber(default)
end
local tenant_cap = cap_or_default(overrides[1], ARGV[4])
local rpm_cap = cap_or_default(overrides[2], ARGV[5])

local record = redis.call('GET', KEYS[8])
if record == '' then return 'call_ended' end

local now = tonumber(redis.call('TIME')[1])

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
if record == tenant and redis.call('SISMEMBER', KEYS[2], member) == 1 then return 'ok' end

if global_size >= tonumber(ARGV[3]) then return 'global_at_capacity' end
if tenant_size >= tenant_cap then return 'tenant_at_capacity' end
-- Count first and compare the count before this call: one command on the admit path.
local calls = redis.call('INCR', KEYS[3])
if calls == 1 then redis.call('EXPIRE', KEYS[3], 120) end
if calls - 1 >= rpm_cap then
  redis.call('DECR', KEYS[3])
  return 'tenant_rate_limited'
end

local expiry = now + ttl
redis.call('SADD', KEYS[1], member)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SADD', KEYS[2], member)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[6], expiry, member)
redis.call('EXPIRE', KEYS[6], ttl)
redis.call('ZADD', KEYS[7], expiry, member)
redis.call('EXPIRE', KEYS[7], ttl)
redis.call('SET', KEYS[8], tenant, 'EX', ttl)
return 'ok'
`;

/**
 * release: give back a call's slot, wherever it is held. Idempotent.
 *
 * KEYS[1]  call record        `${cap}:call:${id}`: tenant id, or '' once released
 * KEYS[2]  global active set  `${cap}:global:active`
 * KEYS[3]  global lease zset  `${cap}:global:leases`
 * ARGV[1]  call_control_id
 * ARGV[2]  CAP_PREFIX (the tenant's keys are named from the record, which only Redis holds)
 * ARGV[3]  TTL (s) of the '' record that refuses a late acquire; '0' deletes the record
 *          instead (the call goes on and may be admitted again)
 * ARGV[4]  tenant id hint, used when the record is gone ('' when unknown)
 * Returns  1 when a held slot was released, 0 when the call held none
 */
export const RELEASE_SCRIPT = `
local member = ARGV[1]
local tenant = redis.call('GET', KEYS[1])
if not tenant or tenant == '' then tenant = ARGV[4] end
local released = redis.call('SREM', KEYS[2], member)
redis.call('ZREM', KEYS[3], member)
if tenant ~= '' then
  local prefix = ARGV[2] .. ':tenant:' .. tenant
  released = released + redis.call('SREM', prefix .. ':active', member)
  redis.call('ZREM', prefix .. ':leases', member)
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], '', 'EX', ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
if released > 0 then return 1 end
return 0
`;
