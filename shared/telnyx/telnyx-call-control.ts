import type { Telnyx } from 'telnyx';
import type { ActionSpeakParams } from 'telnyx/resources/calls/actions';
import { CommandRejectedError, TelnyxCommandError } from '../errors.js';
import type { CallControl, CommandResult } from './call-control.js';

/** Telnyx's error code for a command on a call that has already ended. */
export const CALL_ENDED_CODE = '90018';

export interface SpeakSettings {
  readonly voice: string;
  readonly language: string;
}

/** The part of the SDK client the worker uses. */
export type ActionsClient = Pick<Telnyx, 'calls'>;

/**
 * Where commands get their SDK client: `current` for the key in use, `refreshed` after Telnyx
 * refused it (401), so a rotated API key takes effect without a redeploy.
 */
export interface TelnyxClientSource {
  current(): Promise<ActionsClient>;
  refreshed(): Promise<ActionsClient>;
}

type Actions = ActionsClient['calls']['actions'];

/**
 * Call Control through the official SDK (which retries 408/409/429/5xx itself). A 422
 * `90018` resolves as `call_ended`; a 401 is retried once with the key read again; a 4xx that
 * proves the command was not carried out throws `CommandRejectedError`; anything else (timeout,
 * reset, 5xx) throws a `TelnyxCommandError`: Telnyx may have acted on it. Either way the SQS
 * message is retried.
 */
export function createTelnyxCallControl(
  clients: TelnyxClientSource,
  speech: SpeakSettings,
): CallControl {
  return {
    answer: (id, { clientState, commandId, stream }) =>
      run(clients, 'answer', (actions) =>
        actions.answer(id, {
          client_state: clientState,
          command_id: commandId,
          ...(stream ? { stream_url: stream.url, stream_track: stream.track } : {}),
        }),
      ),
    speak: (id, { text, clientState, commandId, voice, language }) =>
      run(clients, 'speak', (actions) =>
        actions.speak(id, {
          payload: text,
          voice: voice ?? speech.voice,
          // Validated loosely on purpose: Telnyx adds languages faster than the SDK's types.
          language: (language ?? speech.language) as ActionSpeakParams['language'],
          client_state: clientState,
          command_id: commandId,
        }),
      ),
    hangup: (id, { commandId }) =>
      run(clients, 'hangup', (actions) => actions.hangup(id, { command_id: commandId })),
    reject: (id, { commandId }) =>
      run(clients, 'reject', (actions) =>
        actions.reject(id, { cause: 'USER_BUSY', command_id: commandId }),
      ),
    playAudio: (id, { audioUrl, clientState, commandId }) =>
      run(clients, 'playAudio', (actions) =>
        actions.startPlayback(id, {
          audio_url: audioUrl,
          client_state: clientState,
          command_id: commandId,
        }),
      ),
    transfer: (id, options) =>
      run(clients, 'transfer', (actions) =>
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
      run(clients, 'startStreaming', (actions) =>
        actions.startStreaming(id, {
          stream_url: url,
          stream_track: track,
          client_state: clientState,
          command_id: commandId,
        }),
      ),
    startAiAssistant: (id, { assistantId, dynamicVariables, clientState, commandId }) =>
      run(clients, 'startAiAssistant', (actions) =>
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

/** A source that always hands out the same client (a fixed key: the bench, local tools). */
export function fixedClientSource(client: ActionsClient): TelnyxClientSource {
  return { current: async () => client, refreshed: async () => client };
}

async function run(
  clients: TelnyxClientSource,
  command: string,
  send: (actions: Actions) => PromiseLike<unknown>,
): Promise<CommandResult> {
  try {
    return await settle(send((await clients.current()).calls.actions));
  } catch (error) {
    if ((error as { status?: unknown } | null)?.status !== 401) throw commandError(command, error);
  }
  // Telnyx refused the key: it may have been rotated since it was read. Once more, afresh.
  try {
    return await settle(send((await clients.refreshed()).calls.actions));
  } catch (error) {
    throw commandError(command, error);
  }
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

/** A definite refusal (the command was not carried out) or a failure that may hide success. */
function commandError(command: string, error: unknown): TelnyxCommandError {
  return isRejection(error)
    ? new CommandRejectedError(command, error)
    : new TelnyxCommandError(command, error);
}

/** True for Telnyx's 422 whose body lists error code 90018 (call already ended). */
export function isCallEnded(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, error: body } = error as { status?: unknown; error?: unknown };
  if (status !== 422 || typeof body !== 'object' || body === null) return false;
  const errors = (body as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.some((e) => String(e?.code) === CALL_ENDED_CODE);
}

/**
 * True for a 4xx reply that proves Telnyx did not carry the command out. 408 and 409 are left
 * out: the SDK treats them as transient, and a timed-out request may have run.
 */
function isRejection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status } = error as { status?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return false;
  return status !== 408 && status !== 409;
}
