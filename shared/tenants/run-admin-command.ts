import * as z from 'zod/mini';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { type AppLogger, maskNumber } from '../logging/logger.js';
import {
  ADMIN_COMMANDS,
  type AdminCommand,
  type AdminCommandName,
  type AdminContext,
  AdminRefusedError,
} from './admin-commands.js';
import { describeIssues, requestedByField } from './admin-fields.js';

/** The admin function's answer: a result, or bad input refused with nothing written. */
export type AdminResponse =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: string };

/** What the dispatcher needs besides the commands' own context: where audit lines go. */
export type AdminRuntime = Omit<AdminContext, 'audit'> & {
  readonly logger: Pick<AppLogger, 'info'>;
};

const NAMES = Object.keys(ADMIN_COMMANDS) as AdminCommandName[];
const envelope = z.looseObject({
  command: z.string({
    error: (issue) =>
      `${issue.input === undefined ? 'is required' : 'must be a string'}: one of ${NAMES.join(', ')}`,
  }),
  requestedBy: requestedByField,
});

/**
 * Runs one JSON request (`{"command": ..., "requestedBy"?: ..., ...fields}`). Bad input is an
 * answer naming the field and the rule, and nothing is written; Redis failures are thrown.
 */
export async function runAdminCommand(
  runtime: AdminRuntime,
  request: unknown,
): Promise<AdminResponse> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return refuse(`request: must be a JSON object with "command": one of ${NAMES.join(', ')}`);
  }
  const head = envelope.safeParse(request);
  if (!head.success) return refuse(describeIssues(head.error));
  const { command: name, requestedBy, ...fields } = head.data;
  if (!Object.hasOwn(ADMIN_COMMANDS, name)) {
    return refuse(`command: unknown command ${JSON.stringify(name)}: one of ${NAMES.join(', ')}`);
  }
  const command = ADMIN_COMMANDS[name as AdminCommandName] as unknown as AdminCommand;
  const input = command.input.safeParse(fields);
  if (!input.success) return refuse(describeIssues(input.error));
  const audit: AdminContext['audit'] = ({ tenant, number, before, after }) =>
    runtime.logger.info(LOG_MESSAGES.tenantAdmin, {
      command: name,
      tenant: tenant ?? undefined,
      number: maskNumber(number),
      requestedBy,
      // Nested: Powertools drops top-level null fields, and "none" is a value worth recording.
      change: { before, after },
    });
  try {
    return { ok: true, result: await command.run({ ...runtime, audit }, input.data) };
  } catch (error) {
    if (error instanceof AdminRefusedError) return refuse(error.message);
    throw error;
  }
}

const refuse = (error: string): AdminResponse => ({ ok: false, error });
