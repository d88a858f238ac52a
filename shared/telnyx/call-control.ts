/**
 * The Call Control commands the worker sends. Every command carries a deterministic
 * `command_id`, which Telnyx uses to ignore a repeat on the same call, so SQS redeliveries
 * and SDK retries cannot double a command.
 */
export interface CallControl {
  answer(
    callControlId: string,
    options: { clientState: string; commandId: string; stream?: StreamTarget | undefined },
  ): Promise<CommandResult>;
  speak(
    callControlId: string,
    options: { text: string; clientState: string; commandId: string } & SpeechOverrides,
  ): Promise<CommandResult>;
  hangup(callControlId: string, options: { commandId: string }): Promise<CommandResult>;
  /** Turns an unanswered call away as busy (`USER_BUSY`): the caller hears a busy signal. */
  reject(callControlId: string, options: { commandId: string }): Promise<CommandResult>;
  playAudio(
    callControlId: string,
    options: { audioUrl: string; clientState: string; commandId: string },
  ): Promise<CommandResult>;
  transfer(callControlId: string, options: TransferOptions): Promise<CommandResult>;
  startStreaming(
    callControlId: string,
    options: StreamTarget & { clientState: string; commandId: string },
  ): Promise<CommandResult>;
  startAiAssistant(
    callControlId: string,
    options: {
      assistantId: string;
      dynamicVariables?: Readonly<Record<string, string | number | boolean>> | undefined;
      clientState: string;
      commandId: string;
    },
  ): Promise<CommandResult>;
}

/** A tenant's voice and language for one `speak`; the worker's defaults fill what is unset. */
export interface SpeechOverrides {
  readonly voice?: string | undefined;
  readonly language?: string | undefined;
}

/** Where media streaming sends the call's audio. */
export interface StreamTarget {
  readonly url: string;
  readonly track: 'inbound_track' | 'outbound_track' | 'both_tracks';
}

export interface TransferOptions {
  readonly to: string;
  /** Caller id shown to the far end; Telnyx presents the original caller when unset. */
  readonly from?: string | undefined;
  readonly timeoutSecs: number;
  readonly clientState: string;
  /** State for the new leg's webhooks, which is how its failure finds the original call. */
  readonly targetLegClientState: string;
  readonly commandId: string;
}

/** `call_ended`: Telnyx answered 422 with code 90018, the call is already gone (done for us). */
export type CommandResult = 'sent' | 'call_ended';

/** Each command of a call's life, named once: the suffix of its `command_id`. */
export type CommandStep =
  | 'answer'
  | 'speak'
  | 'hangup'
  | 'reject'
  | 'greeting'
  | 'transfer'
  | 'transfer_failed'
  | 'stream'
  | 'ai_assistant';

/** The command id of `step` on a call: the same on every retry of the same step. */
export const commandId = (callControlId: string, step: CommandStep) => `${callControlId}:${step}`;
