import type { CallFlowDeps } from '../../shared/calls/call-flow.js';
import type { CallStep } from '../../shared/calls/call-steps.js';
import type { Denial } from '../../shared/calls/denials.js';
import type { AcquireResult, ReleaseOptions } from '../../shared/capacity/limiter.js';
import { CapacityEvaluationError, TenantResolveError } from '../../shared/errors.js';
import type { TenantPlan } from '../../shared/plans/plan-schema.js';
import type { CallControl, CommandResult } from '../../shared/telnyx/call-control.js';
import { RecordingLogger } from './recording-logger.js';

/** One thing the call flow asked of its collaborators, in the order it asked. */
export type FlowCall =
  | {
      readonly to: 'telnyx';
      readonly action: TelnyxAction;
      readonly options: object;
    }
  | { readonly to: 'limiter'; readonly action: 'tryAcquire'; readonly tenantId: string }
  | { readonly to: 'limiter'; readonly action: 'release'; readonly options: ReleaseOptions }
  | { readonly to: 'metrics'; readonly action: 'accepted' | 'tenantConfigInvalid' }
  | { readonly to: 'metrics'; readonly action: 'denied'; readonly denial: Denial }
  | { readonly to: 'metrics'; readonly action: 'stepFailed'; readonly step: CallStep }
  | { readonly to: 'metrics'; readonly action: 'tenantResolveFailed' };

type TelnyxAction = keyof CallControl;

/** How the fakes answer: the tenant a number maps to, its plan, and what an acquire returns. */
export interface FakeAnswers {
  /** `'fails'`: Redis fails while resolving (`TenantResolveError`). */
  readonly tenantId?: string | null | 'fails';
  /** The tenant's plan, valid and pinned (its pinned copy is found by later steps). */
  readonly plan?: TenantPlan;
  readonly acquire?: AcquireResult | 'fails';
}

/** The digest the fake pins every plan under. */
export const FAKE_PLAN_DIGEST = 'd'.repeat(40);

/**
 * Call flow dependencies that record every request and touch no Redis and no HTTP: the
 * tenant resolves to `acme`, acquires admit, releases report a held slot, commands are sent.
 */
export function recordingCallFlow(answers: FakeAnswers = {}) {
  const calls: FlowCall[] = [];
  const logger = new RecordingLogger();
  const command =
    (action: TelnyxAction) =>
    async (_callId: string, options: object): Promise<CommandResult> => {
      calls.push({ to: 'telnyx', action, options });
      return 'sent';
    };
  const deps: CallFlowDeps = {
    resolveTenant: async () => {
      if (answers.tenantId === 'fails') throw new TenantResolveError('redis is down');
      return {
        tenantId: answers.tenantId === undefined ? 'acme' : answers.tenantId,
        plan: { kind: 'none' },
      };
    },
    plans: {
      choose: () => (answers.plan ? { plan: answers.plan, digest: FAKE_PLAN_DIGEST } : null),
      pinned: async () => answers.plan ?? null,
    },
    limiter: {
      async tryAcquire(_callId, tenantId) {
        calls.push({ to: 'limiter', action: 'tryAcquire', tenantId });
        if (answers.acquire === 'fails') throw new CapacityEvaluationError('redis is down');
        return answers.acquire ?? { admitted: true, tenantId, repeat: false };
      },
      async release(_callId, options = {}) {
        calls.push({ to: 'limiter', action: 'release', options });
        return true;
      },
    },
    callControl: {
      answer: command('answer'),
      speak: command('speak'),
      hangup: command('hangup'),
      reject: command('reject'),
      playAudio: command('playAudio'),
      transfer: command('transfer'),
      startStreaming: command('startStreaming'),
      startAiAssistant: command('startAiAssistant'),
    },
    logger,
    metrics: {
      accepted: () => calls.push({ to: 'metrics', action: 'accepted' }),
      denied: (denial) => calls.push({ to: 'metrics', action: 'denied', denial }),
      stepFailed: (step) => calls.push({ to: 'metrics', action: 'stepFailed', step }),
      tenantResolveFailed: () => calls.push({ to: 'metrics', action: 'tenantResolveFailed' }),
      tenantConfigInvalid: () => calls.push({ to: 'metrics', action: 'tenantConfigInvalid' }),
    },
  };
  return { deps, calls, logger };
}
