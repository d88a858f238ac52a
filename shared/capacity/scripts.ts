/**
 * The limiter's Lua scripts. Each runs atomically on the primary; the global and
 * tenant keys live in different hash slots, so these need cluster-mode-disabled Redis.
 * Every `redis.call` costs server time, so the admit path is kept to about 20 of them.
 */

/** A Lua script with its KEYS and ARGV named, in the positions the script reads them. */
export interface RedisScript<K extends string, A extends string> {
  readonly lua: string;
  readonly numberOfKeys: number;
  /** KEYS then ARGV, as `EVALSHA sha numberOfKeys ...` and ioredis script commands take them. */
  arguments(fields: Readonly<Record<K | A, string>>): string[];
}

/** Names a script's KEYS and ARGV, in the order the script reads them. */
export function redisScript<const K extends string, const A extends string>(
  lua: string,
  keys: readonly K[],
  argv: readonly A[],
): RedisScript<K, A> {
  return {
    lua,
    numberOfKeys: keys.length,
    arguments: (fields) => [
      ...keys.map((name) => fields[name]),
      ...argv.map((name) => fields[name]),
    ],
  };
}

/**
 * acquire: admit one call against the global and tenant caps. Each KEYS/ARGV line names
 * the field `ACQUIRE_SCRIPT.arguments` takes it from.
 *
 * KEYS[1] globalActive         global active set   `${cap}:global:active`          (contract)
 * KEYS[2] tenantActive         tenant active set   `${cap}:tenant:${t}:active`     (contract)
 * KEYS[3] tenantRpm            tenant RPM counter  `${cap}:tenant:${t}:rpm:${min}` (contract)
 * KEYS[4] concurrencyOverride  `${tm}:tenant:${t}:cap:concurrency` (read only)
 * KEYS[5] rpmOverride          `${tm}:tenant:${t}:cap:rpm`         (read only)
 * KEYS[6] globalLeases         global lease zset `${cap}:global:leases`: member -> expiry (s)
 * KEYS[7] tenantLeases         tenant lease zset `${cap}:tenant:${t}:leases`
 * KEYS[8] callRecord           `${cap}:call:${id}`: tenant id while the call holds a slot,
 *                              '' once released (a late acquire is refused)
 * ARGV[1] callControlId        call_control_id (the member)
 * ARGV[2] tenantId             tenant id (never '')
 * ARGV[3] globalConcurrencyCap         (calls)
 * ARGV[4] tenantConcurrencyCapDefault  (calls)
 * ARGV[5] tenantCallsPerMinCapDefault  (calls per UTC minute)
 * ARGV[6] capacityTtlSeconds   CAPACITY_TTL_SECONDS (s: set TTLs, lease length, record TTL)
 * ARGV[7] reclaimBatchSize     expired leases removed per scope per call
 * Returns  'ok' | 'global_at_capacity' | 'tenant_at_capacity' | 'tenant_rate_limited'
 *          | 'call_ended' (the call was already released; nothing written)
 */
const ACQUIRE_LUA = `
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

/** The acquire script; its fields name the header's KEYS[1..8] then ARGV[1..7]. */
export const ACQUIRE_SCRIPT = redisScript(
  ACQUIRE_LUA,
  [
    'globalActive',
    'tenantActive',
    'tenantRpm',
    'concurrencyOverride',
    'rpmOverride',
    'globalLeases',
    'tenantLeases',
    'callRecord',
  ],
  [
    'callControlId',
    'tenantId',
    'globalConcurrencyCap',
    'tenantConcurrencyCapDefault',
    'tenantCallsPerMinCapDefault',
    'capacityTtlSeconds',
    'reclaimBatchSize',
  ],
);

/**
 * release: give back a call's slot, wherever it is held. Idempotent. Each KEYS/ARGV line
 * names the field `RELEASE_SCRIPT.arguments` takes it from.
 *
 * KEYS[1] callRecord             `${cap}:call:${id}`: tenant id, or '' once released
 * KEYS[2] globalActive           `${cap}:global:active`
 * KEYS[3] globalLeases           `${cap}:global:leases`
 * ARGV[1] callControlId          call_control_id
 * ARGV[2] capPrefix              CAP_PREFIX (the tenant's keys are named from the record,
 *                                which only Redis holds)
 * ARGV[3] endedMarkerTtlSeconds  TTL (s) of the '' record that refuses a late acquire; '0'
 *                                deletes the record instead (the call goes on, may be admitted)
 * ARGV[4] tenantIdHint           tenant id, used when the record is gone ('' when unknown)
 * Returns  1 when a held slot was released, 0 when the call held none
 */
const RELEASE_LUA = `
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

/** The release script; its fields name the header's KEYS[1..3] then ARGV[1..4]. */
export const RELEASE_SCRIPT = redisScript(
  RELEASE_LUA,
  ['callRecord', 'globalActive', 'globalLeases'],
  ['callControlId', 'capPrefix', 'endedMarkerTtlSeconds', 'tenantIdHint'],
);
