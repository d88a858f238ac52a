import type { KeyObject } from 'node:crypto';
import { decodeCallState } from '../shared/calls/client-state.js';
import type { CallTimeline } from './call-timeline.js';
import type { ReceivedCommand, TelnyxSimulator } from './telnyx-simulator.js';
import { callEventBody, postSignedWebhook, type SimulatedCall } from './webhook-events.js';

/** How the simulated Telnyx side of calls behaves. */
export interface CallSimulatorOptions {
  readonly telnyx: TelnyxSimulator;
  /** Where follow-up webhooks go: the pipeline's own `POST /webhooks/telnyx`. */
  readonly webhookUrl: string;
  /** Signs follow-ups; its public key must be in the ingest's `TELNYX_PUBLIC_KEY`. */
  readonly privateKey: KeyObject;
  readonly timeline: CallTimeline;
  /** How long a `speak` lasts before `call.speak.ended`. */
  readonly speakMs: number;
  /** How long an accepted caller stays on the line unless `planHangup` says otherwise. */
  readonly defaultHangupAfterMs: number;
  readonly onError?: (error: unknown) => void;
}

/** Telnyx's side of simulated calls: the webhooks that follow each command. */
export interface CallSimulator {
  /** Learns a call from its `call.initiated` webhook (Telnyx knows its numbers and ids). */
  observeInitiated(call: SimulatedCall): void;
  /** The caller of an accepted call hangs up `afterMs` after the answer. */
  planHangup(callControlId: string, afterMs: number): void;
  stop(): Promise<void>;
}

interface CallRecord {
  call: SimulatedCall;
  clientState: string | null;
  hangupAfterMs?: number;
  ended: boolean;
}

/**
 * Attaches to the Telnyx API simulator and sends what Telnyx would after each command:
 * `call.answered` after answer (and, for an accepted call, the caller's `call.hangup` later),
 * `call.speak.ended` after speaking, `call.hangup` after hangup; each echoes the client_state.
 */
export function startCallSimulator(options: CallSimulatorOptions): CallSimulator {
  const calls = new Map<string, CallRecord>();
  const timers = new Set<NodeJS.Timeout>();
  const sending = new Set<Promise<void>>();
  let stopped = false;
  const { timeline } = options;

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) action();
    }, ms);
    timers.add(timer);
  };
  const send = (record: CallRecord, type: string, payload: Record<string, unknown> = {}) => {
    const body = callEventBody(type, record.call, { client_state: record.clientState, ...payload });
    const delivery = deliver(body).finally(() => sending.delete(delivery));
    sending.add(delivery);
  };
  // Telnyx retries a webhook that did not get a 2xx; so does the simulator, a few times.
  const deliver = async (body: string) => {
    for (let attempt = 1; attempt <= 3 && !stopped; attempt += 1) {
      try {
        const { status } = await postSignedWebhook(options.webhookUrl, body, options.privateKey);
        if (status < 300) return;
      } catch (error) {
        if (attempt === 3) options.onError?.(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  };
  const endCall = (record: CallRecord, source: 'caller' | 'callee', detail: string) => {
    if (record.ended) return;
    record.ended = true;
    options.telnyx.endCall(record.call.callControlId);
    timeline.add(record.call.callControlId, 'hangup', detail);
    send(record, 'call.hangup', {
      state: 'hangup',
      hangup_cause: 'normal_clearing',
      hangup_source: source,
    });
  };

  const onCommand = (command: ReceivedCommand) => {
    const record = calls.get(command.callControlId) ?? unknownCall(command.callControlId);
    calls.set(command.callControlId, record);
    if (typeof command.body.client_state === 'string')
      record.clientState = command.body.client_state;
    const id = command.callControlId;
    timeline.add(id, 'command', describeCommand(command));
    switch (command.action) {
      case 'answer':
        send(record, 'call.answered', { state: 'answered' });
        if (decodeCallState(record.clientState)?.action === 'accept') {
          const ms = record.hangupAfterMs ?? options.defaultHangupAfterMs;
          later(ms, () => endCall(record, 'caller', `caller hung up after ${ms / 1000}s`));
        }
        return;
      case 'speak':
        later(options.speakMs, () => {
          if (record.ended) return;
          timeline.add(id, 'heard', `caller heard "${String(command.body.payload)}"`);
          send(record, 'call.speak.ended', { status: 'completed' });
        });
        return;
      case 'hangup':
        endCall(record, 'callee', 'call hung up by the application (hangup command)');
        return;
    }
  };
  options.telnyx.onCommand((command) => {
    if (!stopped) onCommand(command);
  });

  return {
    observeInitiated(call) {
      options.telnyx.startCall(call.callControlId);
      const record = calls.get(call.callControlId);
      if (record) record.call = call;
      else calls.set(call.callControlId, { call, clientState: null, ended: false });
    },
    planHangup(id, afterMs) {
      const record = calls.get(id) ?? unknownCall(id);
      record.hangupAfterMs = afterMs;
      calls.set(id, record);
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...sending]);
    },
  };
}

function describeCommand(command: ReceivedCommand): string {
  const state = decodeCallState(command.body.client_state as string | undefined);
  const about =
    state?.action === 'accept' ? `accept, tenant ${state.tenantId}` : `deny, ${state?.message}`;
  if (command.action === 'answer') return `answer (client_state: ${state ? about : 'none'})`;
  if (command.action === 'speak') return `speak "${String(command.body.payload)}"`;
  return command.action;
}

// A command for a call whose call.initiated the simulator never saw (e.g. a hand-made webhook).
function unknownCall(callControlId: string): CallRecord {
  const call = { callControlId, callLegId: '', callSessionId: '', from: '', to: '' };
  return { call, clientState: null, ended: false };
}
