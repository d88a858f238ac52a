/**
 * The three Call Control commands the worker sends. Every command carries a deterministic
 * `command_id`, which Telnyx uses to ignore a repeat on the same call, so SQS redeliveries
 * and SDK retries cannot double a command.
 */
export interface CallControl {
  answer(
    callControlId: string,
    options: { clientState: string; commandId: string },
  ): Promise<CommandResult>;
  speak(
    callControlId: string,
    options: { text: string; clientState: string; commandId: string },
  ): Promise<CommandResult>;
  hangup(callControlId: string, options: { commandId: string }): Promise<CommandResult>;
}

/** `call_ended`: Telnyx answered 422 with code 90018, the call is already gone (done for us). */
export type CommandResult = 'sent' | 'call_ended';

/** The command id of `action` on a call: the same on every retry of the same step. */
export const commandId = (callControlId: string, action: 'answer' | 'speak' | 'hangup') =>
  `${callControlId}:${action}`;
