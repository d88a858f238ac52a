import { decodeCallState } from '../shared/calls/client-state.js';
import type { ReceivedCommand } from './telnyx-simulator.js';

/**
 * What a simulated transfer target does when it rings, by a convention that lets each path be
 * tried locally: a target containing `busy` is busy, one containing `noanswer` or ending in
 * `0000` never answers, anything else answers.
 */
export function transferOutcomeOf(to: string): 'answered' | 'no_answer' | 'busy' {
  if (/busy/i.test(to)) return 'busy';
  if (/noanswer/i.test(to) || /0000$/.test(to)) return 'no_answer';
  return 'answered';
}

/** One line for the timeline: the command and what matters about it. */
export function describeCommand(command: ReceivedCommand): string {
  const body = command.body;
  switch (command.action) {
    case 'answer': {
      const stream = body.stream_url ? `, streaming to ${String(body.stream_url)}` : '';
      return `answer (client_state: ${aboutState(body.client_state)})${stream}`;
    }
    case 'speak':
      return `speak "${String(body.payload)}"`;
    case 'playback_start':
      return `playback ${String(body.audio_url)}`;
    case 'streaming_start':
      return `stream ${String(body.stream_track ?? 'inbound_track')} to ${String(body.stream_url)}`;
    case 'ai_assistant_start':
      return `start AI assistant ${String((body.assistant as { id?: unknown } | undefined)?.id)}`;
    case 'transfer':
      return `transfer to ${String(body.to)} (timeout ${String(body.timeout_secs)}s)`;
    case 'reject':
      return `reject (${String(body.cause)})`;
    default:
      return command.action;
  }
}

function aboutState(clientState: unknown): string {
  const state = decodeCallState(typeof clientState === 'string' ? clientState : undefined);
  if (!state) return 'none';
  const revision = 'plan' in state && state.plan ? `, plan revision ${state.plan.revision}` : '';
  if (state.action === 'accept') return `accept, tenant ${state.tenantId}${revision}`;
  if (state.action === 'deny') return `deny, ${state.message}${revision}`;
  return `transfer leg of ${state.parent}`;
}
