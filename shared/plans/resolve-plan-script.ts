import { redisScript } from '../capacity/scripts.js';

/**
 * resolve_tenant_plan: the dialed number's tenant and that tenant's plan in one round trip,
 * so reading the plan adds none to `call.initiated`. Read-only (`no-writes`), so it runs
 * while Redis refuses writes (CLIENT PAUSE WRITE during a failover) and on replicas, as the
 * contract's plain GET did. The plan key is named from the tenant, which only Redis knows,
 * hence cluster-mode-disabled Redis (as for the limiter's scripts). The plan read uses
 * `pcall`: a broken plan key never fails the resolution.
 *
 * KEYS[1]  DID mapping  `${tm}:did:${number}` (contract: a GET; the tenant id or nothing)
 * ARGV[1]  TENANTCFG_PREFIX
 * ARGV[2]  largest plan accepted (bytes); a larger one is not returned
 * Returns  { tenant or '', status, value, digest }:
 *          status 'none'      no tenant, or the tenant has no plan
 *                 'plan'      value = the document, digest = its SHA-1 (names its pinned copy)
 *                 'too_large' value = its size in bytes
 *                 'error'     value = Redis's error (e.g. WRONGTYPE)
 */
const RESOLVE_TENANT_PLAN_LUA = `#!lua flags=no-writes
local tenant = redis.call('GET', KEYS[1])
if not tenant or tenant == '' then return {'', 'none'} end
local doc = redis.pcall('GET', ARGV[1] .. ':' .. tenant)
if type(doc) == 'table' then return {tenant, 'error', doc.err or 'error'} end
if not doc then return {tenant, 'none'} end
if #doc > tonumber(ARGV[2]) then return {tenant, 'too_large', tostring(#doc)} end
return {tenant, 'plan', doc, redis.sha1hex(doc)}
`;

/** The script with its KEYS and ARGV named. */
export const RESOLVE_TENANT_PLAN_SCRIPT = redisScript(
  RESOLVE_TENANT_PLAN_LUA,
  ['didKey'],
  ['tenantcfgPrefix', 'maxPlanBytes'],
);
