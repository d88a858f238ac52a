import { type Redis, Redis as RedisClient } from 'ioredis';
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
import { type Row, type Section, verdict } from './report.js';

const FULL_DID = '+13125550177';
const FULL_TENANT = 'tenant-full';
const PLAN_DID = '+13125550166';
const PLAN_TENANT = 'tenant-plan';
const ANSWER_DID = '+13125550155';
const ANSWER_TENANT = 'tenant-answer-plan';

/** A plan document for the bench's tenants (its own fixture: product code reads none). */
const planDoc = (tenantId: string, fields: Record<string, unknown>) =>
  JSON.stringify({ schemaVersion: 1, tenantId, revision: 1, ...fields });

/** What Redis saw while one event was handled, read from Redis itself. */
interface RedisActivity {
  /** Commands sent by clients (MONITOR lines whose source is a client address). */
  readonly clientCommands: string[];
  /** Commands executed inside scripts (MONITOR lines whose source is `lua`). */
  readonly scriptCommands: number;
  /** `INFO commandstats` call deltas, by command, `info` excluded. */
  readonly commandstats: Record<string, number>;
}

async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const stats = Object.entries(await commandStats(redis));
  return Object.fromEntries(stats.map(([name, { calls }]) => [name, calls]));
}

/** Watches Redis (MONITOR on a connection of its own) while `fn` runs. */
async function observe(env: BenchEnvironment, fn: () => Promise<unknown>): Promise<RedisActivity> {
  const base = new RedisClient(env.redisServer.url, { protocol: 2 });
  const monitor = await base.monitor();
  const clientCommands: string[] = [];
  let scriptCommands = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua') scriptCommands += 1;
    else clientCommands.push(String(args[0]).toLowerCase());
  });
  const before = await commandCalls(env.redis);
  await fn();
  const after = await commandCalls(env.redis);
  // MONITOR lines arrive asynchronously; a PING through the bench client flushes them.
  await env.redis.ping();
  await new Promise((resolve) => setTimeout(resolve, 50));
  monitor.disconnect();
  base.disconnect();
  const commandstats: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (delta > 0 && name !== 'info') commandstats[name] = delta;
  }
  // The bench's own INFO and PING are not the worker's.
  const own = new Set(['info', 'ping']);
  return {
    clientCommands: clientCommands.filter((c) => !own.has(c)),
    scriptCommands,
    commandstats,
  };
}

const describe = (a: RedisActivity) =>
  `client: ${a.clientCommands.join(' + ') || 'none'}; inside scripts: ${a.scriptCommands}; ` +
  `commandstats: ${Object.entries(a.commandstats)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;

/** Round trips: Redis commands per event and Telnyx requests per call, counted at the servers. */
export async function measureRoundTrips(env: BenchEnvironment): Promise<Section> {
  await env.redis.set(didKey('tenantmap', normalizeNumber(FULL_DID)), FULL_TENANT);
  await env.redis.set(`tenantmap:tenant:${FULL_TENANT}:cap:concurrency`, '1');
  await env.redis.set(didKey('tenantmap', normalizeNumber(PLAN_DID)), PLAN_TENANT);
  await env.redis.set(
    `tenantcfg:${PLAN_TENANT}`,
    planDoc(PLAN_TENANT, {
      greeting: { text: 'Welcome.' },
      onAdmit: { type: 'transfer', to: '+13125550100', onFailure: { say: 'Sorry.' } },
      hours: {
        timezone: 'America/Chicago',
        weekly: Object.fromEntries(
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
        ),
        closed: { say: 'Closed.' },
      },
    }),
  );
  await env.redis.set(didKey('tenantmap', normalizeNumber(ANSWER_DID)), ANSWER_TENANT);
  await env.redis.set(
    `tenantcfg:${ANSWER_TENANT}`,
    planDoc(ANSWER_TENANT, { onAdmit: { type: 'answer' } }),
  );
  const context = lambdaContext('worker');
  const deliver = async (body: TelnyxWebhookBody) => {
    const result = await env.worker({ Records: [sqsRecord(body)] }, context);
    if (result?.batchItemFailures.length) throw new Error('worker failed a record');
  };
  const commandsFor = (id: string) => env.telnyx.commandsFor(id);
  const clientStateOf = (id: string) => commandsFor(id)[0]?.body.client_state as string;

  // Warm the worker's connection (the first EVALSHA of a connection may fall back to EVAL).
  await deliver(telnyxEvent('call.initiated', { to: BENCH_DID }));
  progress('round-trips: accepted call');
  const accepted = callControlId();
  const initiated = await observe(env, () =>
    deliver(telnyxEvent('call.initiated', { call_control_id: accepted, to: BENCH_DID })),
  );
  const acceptedTelnyx = commandsFor(accepted).length;
  const hangup = await observe(env, () =>
    deliver(
      telnyxEvent('call.hangup', {
        call_control_id: accepted,
        to: BENCH_DID,
        client_state: clientStateOf(accepted),
      }),
    ),
  );

  progress('round-trips: calls with tenant plans');
  const planned = callControlId();
  const plannedInitiated = await observe(env, () =>
    deliver(telnyxEvent('call.initiated', { call_control_id: planned, to: PLAN_DID })),
  );
  const plannedAnswered = await observe(env, () =>
    deliver(
      telnyxEvent('call.answered', {
        call_control_id: planned,
        to: PLAN_DID,
        client_state: clientStateOf(planned),
      }),
    ),
  );
  const answerPlan = callControlId();
  await deliver(telnyxEvent('call.initiated', { call_control_id: answerPlan, to: ANSWER_DID }));
  const answerPlanTelnyx = commandsFor(answerPlan).length;

  // A denied call runs answer -> call.answered -> speak -> call.speak.ended -> hangup.
  const denyCall = async (to: string) => {
    const id = callControlId();
    const first = await observe(env, () =>
      deliver(telnyxEvent('call.initiated', { call_control_id: id, to })),
    );
    const state = clientStateOf(id);
    await deliver(telnyxEvent('call.answered', { call_control_id: id, to, client_state: state }));
    await deliver(
      telnyxEvent('call.speak.ended', { call_control_id: id, to, client_state: state }),
    );
    const end = await observe(env, () =>
      deliver(telnyxEvent('call.hangup', { call_control_id: id, to, client_state: state })),
    );
    return { id, first, end, telnyx: commandsFor(id).map((c) => c.action) };
  };
  progress('round-trips: denied calls');
  const notConfigured = await denyCall(UNMAPPED_DID);
  await deliver(telnyxEvent('call.initiated', { to: FULL_DID })); // takes the tenant's one slot
  const atCapacity = await denyCall(FULL_DID);

  const trips = (a: RedisActivity) => a.clientCommands.length;
  const denied = (d: typeof atCapacity) => `${d.telnyx.length} (${d.telnyx.join(', ')})`;
  const rows: Row[] = [
    count('Redis round trips per call.initiated (admitted)', trips(initiated), '<= 2'),
    count(
      'Redis round trips per call.initiated (admitted, tenant plan with hours)',
      trips(plannedInitiated),
      '<= 2',
    ),
    count(
      'Redis round trips per call.answered (plan greeting; pinned plan cached)',
      trips(plannedAnswered),
      '<= 1',
    ),
    count('Redis round trips per call.hangup', trips(hangup), '<= 2'),
    count(
      'Redis round trips per call.initiated (denied at capacity)',
      trips(atCapacity.first),
      '<= 2',
    ),
    count('Telnyx requests per accepted call', acceptedTelnyx, '1'),
    count('Telnyx requests per accepted call (plan onAdmit answer)', answerPlanTelnyx, '1'),
    count(
      'Telnyx requests per denied call (at capacity)',
      atCapacity.telnyx.length,
      '3',
      denied(atCapacity),
    ),
    count(
      'Telnyx requests per denied call (number not configured)',
      notConfigured.telnyx.length,
      '3',
      denied(notConfigured),
    ),
  ];
  return {
    title: 'Round trips',
    method:
      'One event at a time through the real worker handler on a warm connection. Redis: MONITOR on ' +
      'a separate connection splits commands sent by a client from commands run inside scripts ' +
      '(source `lua`), and `INFO commandstats` deltas (which count both) confirm the totals. Each ' +
      'client command is awaited before the next (the resolution script decides the tenant the ' +
      'acquire needs), so ' +
      'client commands = round trips. Telnyx: commands recorded by the simulator for the call id.',
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

/** A row for a count with no baseline: it passes when it is within `goal` (`<= n` or `n`). */
function count(figure: string, value: number, goal: string, measured = String(value)): Row {
  const limit = Number(goal.replace('<= ', ''));
  const pass = goal.startsWith('<=') ? value <= limit : value === limit;
  return { figure, measured, baseline: '-', ratio: '-', goal, status: verdict(pass) };
}
