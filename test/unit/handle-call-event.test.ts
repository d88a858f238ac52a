import { type PayloadOverrides, telnyxEvent } from '../../local/webhook-events.js';
import { encodeCallState } from '../../shared/calls/client-state.js';
import { CALLER_MESSAGES, DENIAL_REASONS, DENIALS } from '../../shared/calls/denials.js';
import { handleCallEvent } from '../../shared/calls/handle-call-event.js';
import { spokenMessageOf } from '../../shared/calls/plan-speech.js';
import { LOG_MESSAGES } from '../../shared/logging/log-messages.js';
import type { TenantPlan } from '../../shared/plans/plan-schema.js';
import { TELNYX_EVENT_TYPES, telnyxEventSchema } from '../../shared/telnyx/webhook-event.js';
import { FAKE_PLAN_DIGEST, recordingCallFlow } from '../support/call-flow-fakes.js';
import { tenantPlan } from '../support/tenant-plan.js';

const ID = 'v3:call-1';

/** A realistic webhook, parsed as the worker parses it. */
const event = (type: string, payload: PayloadOverrides = {}) =>
  telnyxEventSchema.parse(telnyxEvent(type, { call_control_id: ID, ...payload }));
const ACCEPTED = encodeCallState({ action: 'accept', tenantId: 'acme' });
const DENIED = encodeCallState({ action: 'deny', message: 'at_capacity' });
const FOREIGN = Buffer.from('{"app":"other","action":"deny","denial":"at_capacity"}').toString(
  'base64',
);
const STATES = { accepted: ACCEPTED, denied: DENIED, foreign: FOREIGN, missing: null } as const;
type StateName = keyof typeof STATES;

const IGNORED_UNLESS_DENIED = { kind: 'ignored', why: 'no step of ours follows' };
const ANSWER_ACCEPTED = {
  to: 'telnyx',
  action: 'answer',
  options: { clientState: ACCEPTED, commandId: `${ID}:answer` },
};
const ADMITTED = {
  outcome: { kind: 'accepted', tenantId: 'acme' },
  calls: [
    { to: 'limiter', action: 'tryAcquire', tenantId: 'acme' },
    ANSWER_ACCEPTED,
    { to: 'metrics', action: 'accepted' },
  ],
};
const released = (tenantIdHint: string | undefined) => ({
  outcome: { kind: 'released', held: true },
  calls: [{ to: 'limiter', action: 'release', options: { tenantIdHint } }],
});

// The end of a message: a denied call is hung up; a call answered as today needs nothing.
const MEDIA_ENDED = {
  accepted: { outcome: IGNORED_UNLESS_DENIED, calls: [] },
  denied: {
    outcome: { kind: 'hung_up' },
    calls: [{ to: 'telnyx', action: 'hangup', options: { commandId: `${ID}:hangup` } }],
  },
  foreign: { outcome: IGNORED_UNLESS_DENIED, calls: [] },
  missing: { outcome: IGNORED_UNLESS_DENIED, calls: [] },
};

/** What each event type does with each kind of client_state: its outcome and its requests. */
const EXPECTED: Record<string, Record<StateName, { outcome: object; calls: object[] }>> = {
  // A new call carries no state of ours; whatever it carries, the call is admitted afresh.
  [TELNYX_EVENT_TYPES.callInitiated]: {
    accepted: ADMITTED,
    denied: ADMITTED,
    foreign: ADMITTED,
    missing: ADMITTED,
  },
  [TELNYX_EVENT_TYPES.callAnswered]: {
    accepted: { outcome: IGNORED_UNLESS_DENIED, calls: [] },
    denied: {
      outcome: { kind: 'spoke' },
      calls: [
        {
          to: 'telnyx',
          action: 'speak',
          options: {
            text: CALLER_MESSAGES.at_capacity,
            clientState: DENIED,
            commandId: `${ID}:speak`,
          },
        },
      ],
    },
    foreign: { outcome: IGNORED_UNLESS_DENIED, calls: [] },
    missing: { outcome: IGNORED_UNLESS_DENIED, calls: [] },
  },
  [TELNYX_EVENT_TYPES.callSpeakEnded]: MEDIA_ENDED,
  [TELNYX_EVENT_TYPES.callPlaybackEnded]: MEDIA_ENDED,
  [TELNYX_EVENT_TYPES.callHangup]: {
    accepted: released('acme'),
    denied: released(undefined),
    foreign: released(undefined),
    missing: released(undefined),
  },
};

const cases = Object.entries(EXPECTED).flatMap(([type, byState]) =>
  Object.entries(byState).map(([state, expected]) => ({ type, state, expected })),
);

describe('handleCallEvent', () => {
  it.each(cases)('handles $type with $state client_state', async ({ type, state, expected }) => {
    const { deps, calls } = recordingCallFlow();
    const webhook = event(type, { client_state: STATES[state as StateName] });
    await expect(handleCallEvent(webhook, deps)).resolves.toEqual(expected.outcome);
    expect(calls).toEqual(expected.calls);
  });

  it('acts on every event type the system declares', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.values(TELNYX_EVENT_TYPES).sort());
  });

  it('ignores an event type it does not act on, even one named like an object key', async () => {
    for (const type of ['call.bridged', 'toString', '__proto__']) {
      const { deps, calls } = recordingCallFlow();
      await expect(handleCallEvent(event(type), deps)).resolves.toEqual({
        kind: 'ignored',
        why: `event ${type}`,
      });
      expect(calls).toEqual([]);
    }
  });

  it('ignores an outgoing call.initiated', async () => {
    const { deps, calls } = recordingCallFlow();
    const webhook = event('call.initiated', { direction: 'outgoing' });
    await expect(handleCallEvent(webhook, deps)).resolves.toMatchObject({ kind: 'ignored' });
    expect(calls).toEqual([]);
  });

  it('does not hang up when the caller left during the message', async () => {
    const { deps, calls } = recordingCallFlow();
    const webhook = event('call.speak.ended', { client_state: DENIED, status: 'call_hangup' });
    await expect(handleCallEvent(webhook, deps)).resolves.toEqual({
      kind: 'ignored',
      why: 'media call_hangup',
    });
    expect(calls).toEqual([]);
  });
});

describe('a denied call.initiated', () => {
  const closedPlan = tenantPlan('acme', {
    revision: 3,
    hours: { timezone: 'UTC', weekly: {}, closed: { say: 'Closed.' } },
  }) as unknown as TenantPlan;
  const offPlan = tenantPlan('acme', {
    revision: 3,
    onAdmit: { type: 'hangup', say: 'Off.' },
  }) as unknown as TenantPlan;
  const denialCases = [
    { denial: 'outside_hours', answers: { plan: closedPlan } },
    { denial: 'plan_hangup', answers: { plan: offPlan } },
    { denial: 'not_configured', answers: { tenantId: null } },
    { denial: 'tenant_resolve_failed', answers: { tenantId: 'fails' } },
    { denial: 'capacity_check_failed', answers: { acquire: 'fails' } },
    ...(['global_at_capacity', 'tenant_at_capacity', 'tenant_rate_limited'] as const).map(
      (reason) => ({ denial: reason, answers: { acquire: { admitted: false as const, reason } } }),
    ),
  ] as const;

  it('covers every denial', () => {
    expect(denialCases.map((c) => c.denial).sort()).toEqual([...DENIAL_REASONS].sort());
  });

  it.each(denialCases)(
    'answers $denial with its caller message and counts its metric reason',
    async ({ denial, answers }) => {
      const { deps, calls, logger } = recordingCallFlow(answers);
      await expect(handleCallEvent(event('call.initiated'), deps)).resolves.toEqual({
        kind: 'denied',
        denial,
      });
      const message = spokenMessageOf(denial);
      const planned = 'plan' in answers;
      const plan = planned
        ? { tenantId: 'acme', revision: 3, digest: FAKE_PLAN_DIGEST }
        : undefined;
      expect(calls.filter((c) => c.to !== 'limiter')).toEqual([
        {
          to: 'telnyx',
          action: 'answer',
          options: {
            clientState: encodeCallState({ action: 'deny', message, plan }),
            commandId: `${ID}:answer`,
          },
        },
        { to: 'metrics', action: 'denied', denial },
      ]);
      // A plan's refusal takes no slot: it is decided before the acquire.
      if (planned) expect(calls.some((c) => c.to === 'limiter')).toBe(false);
      expect(logger.entries).toContainEqual({
        level: 'info',
        message: LOG_MESSAGES.callDenied,
        extra: {
          callControlId: ID,
          reason: DENIALS[denial].metricReason,
          ...(planned ? { tenantId: 'acme', revision: 3, mode: 'speak' } : {}),
        },
      });
    },
  );

  it('keeps the contract caller message for each denial', () => {
    expect(
      Object.fromEntries(DENIAL_REASONS.map((d) => [d, CALLER_MESSAGES[DENIALS[d].callerMessage]])),
    ).toEqual({
      not_configured: 'The number you dialed is not configured.',
      tenant_resolve_failed: 'The number you dialed is not configured.',
      global_at_capacity: 'We are currently at capacity. Please try again later.',
      tenant_at_capacity: 'We are currently at capacity. Please try again later.',
      tenant_rate_limited: 'We are currently at capacity. Please try again later.',
      capacity_check_failed: 'We are unable to accept your call right now.',
      outside_hours: 'We are unable to accept your call right now.',
      plan_hangup: 'We are unable to accept your call right now.',
    });
  });
});
