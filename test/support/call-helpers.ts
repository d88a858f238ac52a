import type { Redis } from 'ioredis';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import type { Pipeline } from './pipeline.js';

/** The contract's caller messages, word for word. */
export const NOT_CONFIGURED = 'The number you dialed is not configured.';
export const AT_CAPACITY = 'We are currently at capacity. Please try again later.';
export const UNAVAILABLE = 'We are unable to accept your call right now.';

/** Call-level helpers over one pipeline: numbers, Telnyx's side of a call, what Telnyx saw. */
export function callHelpers(p: Pipeline) {
  let nextDid = 1000;
  const commandsOf = (id: string) => p.telnyx.commands.filter((c) => c.callControlId === id);
  const clientStateOf = (id: string) =>
    p.telnyx.commandsFor(id).find((c) => c.action === 'answer')?.body.client_state as
      | string
      | undefined;
  return {
    /** Maps a fresh number to `tenantId` (the contract's DID key) and returns the number. */
    async mapNumber(tenantId: string): Promise<string> {
      nextDid += 1;
      const did = `+1312555${nextDid}`;
      await p.redis.set(`tenantmap:did:${did}`, tenantId);
      return did;
    },
    /** Every command Telnyx received for the call, faults and duplicates included. */
    commandsOf,
    /** Commands Telnyx carried out (200, not an ignored duplicate) for `action` on the call. */
    carriedOut: (id: string, action: string) =>
      p.telnyx.commandsFor(id).filter((c) => c.action === action).length,
    /** The actions Telnyx carried out on the call, in order. */
    actions: (id: string) => p.telnyx.commandsFor(id).map((c) => c.action),
    spoken: (id: string) =>
      p.telnyx.commandsFor(id).find((c) => c.action === 'speak')?.body.payload as
        | string
        | undefined,
    clientStateOf,
    /** Plays Telnyx's side of a denial: `call.answered`, then `call.speak.ended` (`status`). */
    async followDenial(id: string, status = 'completed'): Promise<void> {
      const clientState = clientStateOf(id) ?? null;
      await p.deliver(
        telnyxEvent('call.answered', { call_control_id: id, client_state: clientState }),
      );
      await p.deliver(
        telnyxEvent('call.speak.ended', {
          call_control_id: id,
          client_state: clientState,
          status,
        }),
      );
    },
    /** The caller (or our hangup) ends the call: Telnyx sends `call.hangup`. */
    hangup: (id: string) =>
      p.deliver(
        telnyxEvent('call.hangup', {
          call_control_id: id,
          client_state: clientStateOf(id) ?? null,
        }),
      ),
    /** Runs one worker invocation on `body` directly (no queue) and times it. */
    async invokeTimed(body: Parameters<typeof sqsRecord>[0]) {
      const started = performance.now();
      const response = await p.worker(sqsEvent(sqsRecord(body)), lambdaContext('worker'));
      return { response, ms: performance.now() - started };
    },
    slotHeld: async (id: string) => (await p.redis.sismember('cap:global:active', id)) === 1,
    /** Capacity still held by anyone: active sets, lease sets and per-call records. */
    heldCapacityKeys: () => heldCapacityKeys(p.redis),
  };
}

/** What `callHelpers` gives. */
export type CallHelpers = ReturnType<typeof callHelpers>;

/**
 * Keys that still hold capacity: active and lease sets, and call records naming a tenant
 * (a released call's record is '' and only refuses a late acquire).
 */
export async function heldCapacityKeys(redis: Pick<Redis, 'keys' | 'get'>): Promise<string[]> {
  const held: string[] = [];
  for (const key of await redis.keys('cap:*')) {
    if (/:(active|leases)$/.test(key)) held.push(key);
    else if (key.startsWith('cap:call:') && (await redis.get(key)) !== '') held.push(key);
  }
  return held;
}
