import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CallRetrieveStatusResponse } from 'telnyx/resources/calls/calls';
import { closeServer, listen, readBody, replyJson } from './servers.js';

/** One Call Control command as the simulator received it. */
export interface ReceivedCommand {
  readonly callControlId: string;
  readonly action: string;
  readonly body: Record<string, unknown>;
  readonly commandId: string | undefined;
  /** True when Telnyx would ignore it: the same `command_id` was already accepted on this call. */
  readonly duplicate: boolean;
  /** The HTTP status the simulator answered (undefined while a request hangs). */
  readonly status: number | undefined;
}

/**
 * An injected failure: an HTTP error reply, `hang` (never answer), or `lost_reply` (carry the
 * command out, then reset the connection before replying: Telnyx acted, the caller cannot know).
 */
export type Fault = { readonly status: number; readonly body?: unknown } | 'hang' | 'lost_reply';

/** Telnyx's reply to a command on a call that has already ended. */
export const CALL_ENDED = telnyxError(
  422,
  '90018',
  'Call has already ended',
  'This call is no longer active and can\u2019t receive commands.',
);
/** Telnyx's reply to `speak` on a call that is not answered yet. */
export const CALL_NOT_ANSWERED = telnyxError(
  422,
  '90034',
  'Call is not answered',
  'This command requires the call to be answered.',
);
export const SERVER_ERROR = telnyxError(500, '10007', 'Unexpected error');

/**
 * A local stand-in for the Telnyx Call Control API: commands
 * (`POST /v2/calls/{id}/actions/{action}`) and call status (`GET /v2/calls/{id}`).
 */
export interface TelnyxSimulator {
  /** The value for `TELNYX_BASE_URL` (the SDK reads it). */
  readonly baseUrl: string;
  readonly commands: ReceivedCommand[];
  /** The call id of every `GET /v2/calls/{id}` received, in arrival order. */
  readonly statusRequests: string[];
  /** Commands of one call, in arrival order, without Telnyx-ignored duplicates. */
  commandsFor(callControlId: string): ReceivedCommand[];
  /**
   * Answers the next `times` commands matching `action` ('*' for any) with `fault`; the
   * status request's action is `status`.
   */
  failNext(action: string, fault: Fault, times?: number): void;
  /** Called once for every accepted, non-duplicate command (e.g. to send follow-up webhooks). */
  onCommand(listener: (command: ReceivedCommand) => void): void;
  /** Telnyx learns the call (its `call.initiated`): its status reads `is_alive: true`. */
  startCall(callControlId: string): void;
  /**
   * Marks the call as over: from now on its commands get Telnyx's 422 `90018` (call ended)
   * and its status reads `is_alive: false`. Status of a call never seen: 404.
   */
  endCall(callControlId: string): void;
  /** From now on, answers 401 to any API key but `apiKey` (undefined: any key, the default). */
  acceptOnlyApiKey(apiKey: string | undefined): void;
  stop(): Promise<void>;
}

const ROUTE = /^\/v2\/calls\/([^/]+)\/actions\/([a-z_]+)$/;
const STATUS_ROUTE = /^\/v2\/calls\/([^/]+)$/;
const NOT_FOUND = telnyxError(404, '10005', 'Resource not found');
const UNAUTHORIZED = telnyxError(401, '10009', 'Authentication failed');

/** Starts the simulator on `port` (0: a free port) on loopback. */
export async function startTelnyxSimulator(port = 0): Promise<TelnyxSimulator> {
  const commands: ReceivedCommand[] = [];
  const faults: Array<{ action: string; fault: Fault; remaining: number }> = [];
  const listeners: Array<(command: ReceivedCommand) => void> = [];
  const accepted = new Set<string>();
  const known = new Set<string>();
  const ended = new Set<string>();
  const statusRequests: string[] = [];
  let onlyKey: string | undefined;

  const takeFault = (action: string): Fault | undefined => {
    const pending = faults.find((f) => f.remaining > 0 && [action, '*'].includes(f.action));
    if (!pending) return undefined;
    pending.remaining -= 1;
    return pending.fault;
  };

  // GET /v2/calls/{id}: what Telnyx knows of the call, per the simulator's own call state.
  const callStatus = (res: ServerResponse, callControlId: string) => {
    statusRequests.push(callControlId);
    const fault = takeFault('status');
    if (fault === 'hang') return;
    if (fault === 'lost_reply') return res.socket?.destroy();
    if (fault) return replyFault(res, fault);
    if (!known.has(callControlId)) return replyFault(res, NOT_FOUND);
    const data = {
      record_type: 'call',
      call_control_id: callControlId,
      call_leg_id: callControlId,
      call_session_id: callControlId,
      is_alive: !ended.has(callControlId),
    } satisfies CallRetrieveStatusResponse.Data;
    replyJson(res, 200, { data } satisfies CallRetrieveStatusResponse);
  };

  const server = createServer(async (req, res) => {
    const statusMatch = req.method === 'GET' ? STATUS_ROUTE.exec(req.url ?? '') : null;
    const match = req.method === 'POST' ? ROUTE.exec(req.url ?? '') : null;
    const body = await readJson(req);
    const auth = req.headers.authorization ?? '';
    const authorized = auth.startsWith('Bearer ') && (!onlyKey || auth === `Bearer ${onlyKey}`);
    if (statusMatch) {
      if (!authorized) return replyFault(res, UNAUTHORIZED);
      return callStatus(res, decodeURIComponent(statusMatch[1] as string));
    }
    if (!match) return replyFault(res, NOT_FOUND);
    const callControlId = decodeURIComponent(match[1] as string);
    known.add(callControlId);
    const action = match[2] as string;
    const commandId = typeof body.command_id === 'string' ? body.command_id : undefined;
    if (!authorized) {
      commands.push({ callControlId, action, body, commandId, duplicate: false, status: 401 });
      return replyFault(res, UNAUTHORIZED);
    }
    const injected = ended.has(callControlId) ? CALL_ENDED : takeFault(action);
    const lostReply = injected === 'lost_reply';
    const fault = lostReply ? undefined : injected;
    const key = `${callControlId}\u0000${commandId}`;
    const duplicate = fault === undefined && commandId !== undefined && accepted.has(key);
    const status = fault === 'hang' ? undefined : (fault?.status ?? 200);
    const command: ReceivedCommand = { callControlId, action, body, commandId, duplicate, status };
    commands.push(command);
    if (fault === 'hang') return; // the socket stays open until the client gives up
    if (fault) return replyFault(res, fault);
    if (commandId !== undefined) accepted.add(key);
    if (lostReply) req.socket.destroy();
    else replyJson(res, 200, { data: { result: 'ok' } });
    if (!duplicate) for (const listener of listeners) listener(command);
  });
  const boundPort = await listen(server, port, '127.0.0.1');

  return {
    baseUrl: `http://127.0.0.1:${boundPort}/v2`,
    commands,
    statusRequests,
    commandsFor: (id) =>
      commands.filter((c) => c.callControlId === id && !c.duplicate && c.status === 200),
    failNext: (action, fault, times = 1) => faults.push({ action, fault, remaining: times }),
    onCommand: (listener) => listeners.push(listener),
    startCall: (id) => known.add(id),
    endCall: (id) => {
      known.add(id);
      ended.add(id);
    },
    acceptOnlyApiKey: (apiKey) => {
      onlyKey = apiKey;
    },
    stop: () => closeServer(server),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    const value = JSON.parse((await readBody(req)) || '{}');
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** A Telnyx API error reply: `status` with one entry in `errors`. */
function telnyxError(status: number, code: string, title: string, detail?: string) {
  return { status, body: { errors: [{ code, title, ...(detail && { detail }) }] } };
}

function replyFault(res: ServerResponse, fault: Exclude<Fault, string>): void {
  replyJson(res, fault.status, fault.body ?? {});
}
