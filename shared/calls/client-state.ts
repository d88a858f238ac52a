import { type CallerMessageId, isCallerMessageId } from './denials.js';

/**
 * The plan a call was pinned to at `call.initiated`: the tenant, the document's revision (for
 * log lines) and its SHA-1, which names the pinned copy every later step reads.
 */
export interface PlanRef {
  readonly tenantId: string;
  readonly revision: number;
  readonly digest: string;
}

/** Where an admitted call is in its plan: what the next webhook should lead to. */
export const ACCEPT_STEPS = [
  'answered',
  'greeting',
  'transfer',
  'transfer_failed',
  'done',
] as const;
export type AcceptStep = (typeof ACCEPT_STEPS)[number];

/**
 * What a refused call hears before its hangup: a contract message, or the words of its
 * tenant's plan for closed hours (`closed`) or its kill switch (`plan_hangup`).
 */
export type SpokenMessage = CallerMessageId | 'closed' | 'plan_hangup';

/**
 * What this service remembers about a call, carried by Telnyx as `client_state` (base64,
 * echoed on every later webhook), so each step is decided from the event alone. Plans are
 * carried by reference (a few dozen bytes), never by content, whatever their size.
 */
export type CallState =
  | {
      readonly action: 'accept';
      readonly tenantId: string;
      readonly plan?: PlanRef | undefined;
      readonly step?: AcceptStep | undefined;
      /** The caller id a transfer presents, resolved at `call.initiated` from the call's numbers. */
      readonly callerId?: string | undefined;
    }
  | {
      readonly action: 'deny';
      readonly message: SpokenMessage;
      readonly plan?: PlanRef | undefined;
    }
  | { readonly action: 'transfer_leg'; readonly parent: string; readonly plan: PlanRef };

// Marks state written by this service, so another application's client_state is ignored.
const APP = 'tca1';

/**
 * Encodes our state as Telnyx expects `client_state`: base64 of a small JSON object. The wire
 * names (`tenant`, `denial`) never change: calls in flight during a deploy carry them.
 */
export function encodeCallState(state: CallState): string {
  const plan = 'plan' in state && state.plan ? refFields(state.plan) : {};
  const body =
    state.action === 'accept'
      ? {
          app: APP,
          action: 'accept',
          tenant: state.tenantId,
          ...plan,
          step: state.step,
          cid: state.callerId,
        }
      : state.action === 'deny'
        ? { app: APP, action: 'deny', denial: state.message, ...plan }
        : { app: APP, action: 'transfer_leg', parent: state.parent, ...plan };
  return Buffer.from(JSON.stringify(body)).toString('base64');
}

const refFields = (ref: PlanRef) => ({ tenant: ref.tenantId, rev: ref.revision, pin: ref.digest });

/** Decodes `client_state`; anything that is not exactly ours reads as `null`. */
export function decodeCallState(clientState: string | null | undefined): CallState | null {
  if (!clientState) return null;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(clientState, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const fields = body as Record<string, unknown>;
  if (fields.app !== APP) return null;
  const plan = decodeRef(fields);
  const { action, tenant, denial, step, cid, parent } = fields;
  if (action === 'accept' && typeof tenant === 'string' && tenant !== '') {
    return {
      action,
      tenantId: tenant,
      plan,
      step: ACCEPT_STEPS.find((s) => s === step),
      callerId: typeof cid === 'string' ? cid : undefined,
    };
  }
  if (action === 'deny' && isSpokenMessage(denial)) return { action, message: denial, plan };
  if (action === 'transfer_leg' && typeof parent === 'string' && parent !== '' && plan)
    return { action, parent, plan };
  return null;
}

function decodeRef(fields: Record<string, unknown>): PlanRef | undefined {
  const { tenant, rev, pin } = fields;
  if (typeof tenant !== 'string' || tenant === '') return undefined;
  if (typeof rev !== 'number' || typeof pin !== 'string' || !/^[0-9a-f]{40}$/.test(pin))
    return undefined;
  return { tenantId: tenant, revision: rev, digest: pin };
}

function isSpokenMessage(value: unknown): value is SpokenMessage {
  return value === 'closed' || value === 'plan_hangup' || isCallerMessageId(value);
}
