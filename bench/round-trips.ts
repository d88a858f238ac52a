import { Redis } from 'ioredis';
import { lambdaContext } from '../local/lambda-context.js';
import { sqsRecord } from '../local/lambda-events.js';
import { callControlId, type TelnyxWebhookBody, telnyxEvent } from '../local/webhook-events.js';
import { normalizeNumber } from '../shared/tenants/normalize-number.js';
import { didKey } from '../shared/tenants/resolve-tenant.js';
import {
  BENCH_DID,
  type BenchEnvironment,
  commandStats,
  progress,
  UNMAPPED_DID,
} from './environment.js';
import { atMost, row, type Section } from './report.js';

const FULL_DID = '+13125550177';
const FULL_TENANT = 'tenant-full';
const PLAN_DID = '+13125550166';
const PLAN_TENANT = 'tenant-plan';
const ANSWER_DID = '+13125550155';
const ANSWER_TENANT = 'tenant-answer-plan';

/** What Redis saw while one event was handled, read from Redis itself. */
interface RedisActivity {
  /** Commands sent by clients (MONITOR lines whose source is a client address). */
  readonly clientCommands: string[];
  /** Commands executed inside scripts (MONITOR lines whose source is `lua`). */
  readonly scriptCommands: number;
  /** `INFO commandstats` call deltas, by command, `info` excluded. */
  readonly commandstats: Record<string, number>;
}

/** Watches Redis (MONITOR on a connection of its own) while `fn` runs. */
async function observe(env: BenchEnvironment, fn: () => Promise<unknown>): Promise<RedisActivity> {
  const base = new Redis(env.redisServer.url, { protocol: 2 });
  const monitor = await base.monitor();
  const clientCommands: string[] = [];
  let scriptCommands = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua') scriptCommands += 1;
    else clientCommands.push(String(args[0]).toLowerCase());
  });
  const before = await commandStats(env.redis);
  await fn();
  const after = await commandStats(env.redis);
  // MONITOR lines arrive asynchronously; a PING through the bench client flushes them.
  await env.redis.ping();
  await new Promise((resolve) => setTimeout(resolve, 50));
  monitor.disconnect();
  base.disconnect();
  const commandstats: Record<string, number> = {};
  for (const [name, { calls }] of Object.entries(after)) {
    const delta = calls - (before[name]?.calls ?? 0);
    if (delta > 0 && name !== 'info') commandstats[name] = delta;
  }
  // The bench's own INFO and PING are not the worker's.
  const workers = clientCommands.filter((command) => command !== 'info' && command !== 'ping');
  return { clientCommands: workers, scriptCommands, commandstats };
}

const describe = (a: RedisActivity) =>
  `client: ${a.clientCommands.join(' + ') || 'none'}; inside scripts: ${a.scriptCommands}; ` +
  `commandstats: ${Object.entries(a.commandstats)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;

/** Round trips: Redis commands per event and Telnyx requests per call, counted at the servers. */
export async function measureRoundTrips(env: BenchEnvironment): Promise<Section> {
  // Maps `did` to `tenantId`, with a plan document of `fields` (the bench's own fixture).
  const addTenant = async (did: string, tenantId: string, fields?: Record<string, unknown>) => {
    await env.redis.set(didKey('tenantmap', normalizeNumber(did)), tenantId);
    const plan = { schemaVersion: 1, tenantId, revision: 1, ...fields };
    if (fields) await env.redis.set(`tenantcfg:${tenantId}`, JSON.stringify(plan));
  };
  await addTenant(FULL_DID, FULL_TENANT);
  await env.redis.set(`tenantmap:tenant:${FULL_TENANT}:cap:concurrency`, '1');
  await addTenant(PLAN_DID, PLAN_TENANT, {
    greeting: { text: 'Welcome.' },
    onAdmit: { type: 'transfer', to: '+13125550100', onFailure: { say: 'Sorry.' } },
    hours: {
      timezone: 'America/Chicago',
      weekly: Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
      ),
      closed: { say: 'Closed.' },
    },
  });
  await addTenant(ANSWER_DID, ANSWER_TENANT, { onAdmit: { type: 'answer' } });
  const context = lambdaContext('worker');
  const deliver = async (body: TelnyxWebhookBody) => {
    const result = await env.worker({ Records: [sqsRecord(body)] }, context);
    if (result?.batchItemFailures.length) throw new Error('worker failed a record');
  };
  const commandsFor = (id: string) => env.telnyx.commandsFor(id);
  // An event of call `id` to `to`, with the client state the call's first command set (if any).
  const send = (type: string, id: string, to: string) => {
    const clientState = (commandsFor(id)[0]?.body.client_state as string | undefined) ?? null;
    return deliver(telnyxEvent(type, { call_control_id: id, to, client_state: clientState }));
  };

  // Warm the worker's connection (the first EVALSHA of a connection may fall back to EVAL).
  await deliver(telnyxEvent('call.initiated', { to: BENCH_DID }));
  progress('round-trips: accepted call');
  const accepted = callControlId();
  const initiated = await observe(env, () => send('call.initiated', accepted, BENCH_DID));
  const acceptedTelnyx = commandsFor(accepted).length;
  const hangup = await observe(env, () => send('call.hangup', accepted, BENCH_DID));

  progress('round-trips: calls with tenant plans');
  const planned = callControlId();
  const plannedInitiated = await observe(env, () => send('call.initiated', planned, PLAN_DID));
  const plannedAnswered = await observe(env, () => send('call.answered', planned, PLAN_DID));
  const answerPlan = callControlId();
  await send('call.initiated', answerPlan, ANSWER_DID);
  const answerPlanTelnyx = commandsFor(answerPlan).length;

  // A denied call runs answer -> call.answered -> speak -> call.speak.ended -> hangup.
  const denyCall = async (to: string) => {
    const id = callControlId();
    const first = await observe(env, () => send('call.initiated', id, to));
    await send('call.answered', id, to);
    await send('call.speak.ended', id, to);
    const end = await observe(env, () => send('call.hangup', id, to));
    return { first, end, telnyx: commandsFor(id).map((c) => c.action) };
  };
  progress('round-trips: denied calls');
  const notConfigured = await denyCall(UNMAPPED_DID);
  await deliver(telnyxEvent('call.initiated', { to: FULL_DID })); // takes the tenant's one slot
  const atCapacity = await denyCall(FULL_DID);

  // Each client command is awaited before the next, so client commands are round trips.
  const redisTrips = (event: string, { clientCommands }: RedisActivity, limit: number) => {
    const trips = clientCommands.length;
    return row(
      `Redis round trips per ${event}`,
      String(trips),
      '-',
      '-',
      ...atMost(trips, limit, ''),
    );
  };
  const telnyxRequests = (call: string, count: number, expected: number, measured = `${count}`) =>
    row(`Telnyx requests per ${call}`, measured, '-', '-', String(expected), count === expected);
  const deniedRequests = (why: string, { telnyx }: typeof atCapacity) =>
    telnyxRequests(
      `denied call (${why})`,
      telnyx.length,
      3,
      `${telnyx.length} (${telnyx.join(', ')})`,
    );
  const rows = [
    redisTrips('call.initiated (admitted)', initiated, 2),
    redisTrips('call.initiated (admitted, tenant plan with hours)', plannedInitiated, 2),
    redisTrips('call.answered (plan greeting; pinned plan cached)', plannedAnswered, 1),
    redisTrips('call.hangup', hangup, 2),
    redisTrips('call.initiated (denied at capacity)', atCapacity.first, 2),
    telnyxRequests('accepted call', acceptedTelnyx, 1),
    telnyxRequests('accepted call (plan onAdmit answer)', answerPlanTelnyx, 1),
    deniedRequests('at capacity', atCapacity),
    deniedRequests('number not configured', notConfigured),
  ];
  return {
    title: 'Round trips',
    method:
      'One event at a time through the real worker handler on a warm connection. Redis: MONITOR on ' +
      'a separate connection splits commands sent by a client from commands run inside scripts ' +
      '(source `lua`), and `INFO commandstats` deltas (which count both) confirm the totals. Each ' +
      'client command is awaited before the next (the resolution script decides the tenant the ' +
      'acquire needs), so client commands = round trips. Telnyx: commands recorded by the ' +
      'simulator for the call id.',
    rows,
    notes: [
      `- admitted \`call.initiated\`: ${describe(initiated)}`,
      `- \`call.hangup\` of that call: ${describe(hangup)}`,
      `- admitted \`call.initiated\` with a tenant plan (resolution and plan read in one script): ${describe(plannedInitiated)}`,
      `- \`call.answered\` of that call (greeting from the pinned plan): ${describe(plannedAnswered)}`,
      `- \`call.initiated\` denied at capacity: ${describe(atCapacity.first)}`,
      `- \`call.hangup\` of the call denied at capacity: ${describe(atCapacity.end)}`,
      `- \`call.initiated\` to a number not configured: ${describe(notConfigured.first)}`,
      `- \`call.hangup\` of the call not configured: ${describe(notConfigured.end)}`,
      '',
      'ioredis sends a script as EVAL (the whole source) the first time it uses it on a connection ' +
        'and EVALSHA afterwards, so the first release of a container shows `eval`: still one round trip.',
    ],
  };
}
