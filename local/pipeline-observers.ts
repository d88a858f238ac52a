import type { APIGatewayProxyStructuredResultV2, SQSRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { decodeCallState } from '../shared/calls/client-state.js';
import { capacityKeys } from '../shared/capacity/keys.js';
import { KEY_PREFIX_DEFAULTS } from '../shared/config/env-names.js';
import { parseTelnyxEvent } from '../shared/telnyx/webhook-event.js';
import type { CallSimulator } from './call-simulator.js';
import type { CallTimeline } from './call-timeline.js';

/** Records a webhook's fate on its call's timeline; a `call.initiated` introduces the call to Telnyx's side. */
export function observeWebhook(
  timeline: CallTimeline,
  callSimulator: CallSimulator | undefined,
  rawBody: string,
  result: APIGatewayProxyStructuredResultV2,
): void {
  const parsed = parseTelnyxEvent(rawBody);
  if (!parsed.ok) return;
  const { event_type: type, payload } = parsed.event.data;
  const id = payload.call_control_id;
  if (result.statusCode !== 200) {
    const answer = `HTTP ${result.statusCode} ${result.body}`;
    timeline.add(id, 'problem', `${type} webhook answered ${answer}`);
    return;
  }
  timeline.add(id, 'webhook', `${type} received: signature verified, queued`);
  if (type === 'call.initiated') {
    callSimulator?.observeInitiated({
      callControlId: id,
      callLegId: payload.call_leg_id ?? '',
      callSessionId: payload.call_session_id ?? '',
      from: payload.from ?? '',
      to: payload.to ?? '',
    });
  }
}

/** What `observeBatch` reads: the timelines, Redis (to confirm releases) and the key prefixes. */
export interface BatchObserverDeps {
  readonly timeline: CallTimeline;
  readonly redis: Pick<Redis, 'sismember' | 'scard'>;
  readonly env: Readonly<Record<string, string>>;
  readonly retryDelaySeconds: number;
}

/** After a worker batch: notes failures (SQS retries them) and confirms each processed hangup's release in Redis. */
export function observeBatch(
  deps: BatchObserverDeps,
  records: readonly SQSRecord[],
  failed: ReadonlySet<string>,
): void {
  for (const record of records) {
    const parsed = parseTelnyxEvent(record.body);
    if (!parsed.ok) continue;
    const { event_type: type, payload } = parsed.event.data;
    const id = payload.call_control_id;
    if (failed.has(record.messageId)) {
      const retry = `SQS offers it again in ${deps.retryDelaySeconds}s`;
      deps.timeline.add(id, 'problem', `${type} failed in the worker; ${retry}`);
    } else if (type === 'call.hangup') {
      releaseOf(deps, id, payload.client_state)
        .catch((error: unknown) => `call over (could not read Redis: ${String(error)})`)
        .then((detail) => deps.timeline.add(id, 'released', detail));
    }
  }
}

/** What became of a hung-up call's capacity slot, as Redis now shows it. */
async function releaseOf(deps: BatchObserverDeps, id: string, clientState?: string | null) {
  const keys = capacityKeys({
    capPrefix: deps.env.CAP_PREFIX ?? KEY_PREFIX_DEFAULTS.capPrefix,
    tenantmapPrefix: deps.env.TENANTMAP_PREFIX ?? KEY_PREFIX_DEFAULTS.tenantmapPrefix,
  });
  const state = decodeCallState(clientState);
  if ((await deps.redis.sismember(keys.globalActive(), id)) === 1) {
    return 'call over, but its slot is still held (release failed)';
  }
  if (state?.action !== 'accept') return 'call over; it held no capacity slot';
  const active = await deps.redis.scard(keys.tenantActive(state.tenantId));
  return `slot released; tenant ${state.tenantId} now has ${active} active call(s)`;
}
