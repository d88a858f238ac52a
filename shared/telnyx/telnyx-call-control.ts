import type { Telnyx } from 'telnyx';
import type { ActionSpeakParams } from 'telnyx/resources/calls/actions';
import type { CallControl, CommandResult } from './call-control.js';

/** Telnyx's error code for a command on a call that has already ended. */
export const CALL_ENDED_CODE = '90018';

export interface SpeakSettings {
  readonly voice: string;
  readonly language: string;
}

type ActionsClient = Pick<Telnyx, 'calls'>;

/**
 * Call Control through the official SDK (which retries 408/409/429/5xx itself). A 422
 * `90018` resolves as `call_ended`; any other failure throws, so the SQS message is retried.
 */
export function createTelnyxCallControl(client: ActionsClient, speech: SpeakSettings): CallControl {
  const actions = client.calls.actions;
  return {
    answer: (id, { clientState, commandId, stream }) =>
      settle(
        actions.answer(id, {
          client_state: clientState,
          command_id: commandId,
          ...(stream ? { stream_url: stream.url, stream_track: stream.track } : {}),
        }),
      ),
    speak: (id, { text, clientState, commandId, voice, language }) =>
      settle(
        actions.speak(id, {
          payload: text,
          voice: voice ?? speech.voice,
          // Validated loosely on purpose: Telnyx adds languages faster than the SDK's types.
          language: (language ?? speech.language) as ActionSpeakParams['language'],
          client_state: clientState,
          command_id: commandId,
        }),
      ),
    hangup: (id, { commandId }) => settle(actions.hangup(id, { command_id: commandId })),
    reject: (id, { commandId }) =>
      settle(actions.reject(id, { cause: 'USER_BUSY', command_id: commandId })),
    playAudio: (id, { audioUrl, clientState, commandId }) =>
      settle(
        actions.startPlayback(id, {
          audio_url: audioUrl,
          client_state: clientState,
          command_id: commandId,
        }),
      ),
    transfer: (id, options) =>
      settle(
        actions.transfer(id, {
          to: options.to,
          ...(options.from ? { from: options.from } : {}),
          timeout_secs: options.timeoutSecs,
          client_state: options.clientState,
          target_leg_client_state: options.targetLegClientState,
          command_id: options.commandId,
        }),
      ),
    startStreaming: (id, { url, track, clientState, commandId }) =>
      settle(
        actions.startStreaming(id, {
          stream_url: url,
          stream_track: track,
          client_state: clientState,
          command_id: commandId,
        }),
      ),
    startAiAssistant: (id, { assistantId, dynamicVariables, clientState, commandId }) =>
      settle(
        actions.startAIAssistant(id, {
          assistant: {
            id: assistantId,
            ...(dynamicVariables ? { dynamic_variables: dynamicVariables } : {}),
          },
          client_state: clientState,
          command_id: commandId,
        }),
      ),
  };
}

async function settle(command: PromiseLike<unknown>): Promise<CommandResult> {
  try {
    await command;
    return 'sent';
  } catch (error) {
    if (isCallEnded(error)) return 'call_ended';
    throw error;
  }
}

/** True for Telnyx's 422 whose body lists error code 90018 (call already ended). */
export function isCallEnded(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, error: body } = error as { status?: unknown; error?: unknown };
  if (status !== 422 || typeof body !== 'object' || body === null) return false;
  const errors = (body as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.some((e) => String(e?.code) === CALL_ENDED_CODE);
}
