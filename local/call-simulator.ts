import type { KeyObject } from 'node:crypto';
import type * as Webhooks from 'telnyx/resources/webhooks';
import { decodeCallState } from '../shared/calls/client-state.js';
import type { CallTimeline } from './call-timeline.js';
import { describeCommand, transferOutcomeOf } from './simulated-commands.js';
import type { ReceivedCommand, TelnyxSimulator } from './telnyx-simulator.js';
import { callEventBody, newCall, postSignedWebhook, type SimulatedCall } from './webhook-events.js';

/** How the simulated Telnyx side of calls behaves. */
export interface CallSimulatorOptions {
  readonly telnyx: TelnyxSimulator;
  /** Where follow-up webhooks go: the pipeline's own `POST /webhooks/telnyx`. */
  readonly webhookUrl: string;
  /** Signs follow-ups; its public key must be in the ingest's `TELNYX_PUBLIC_KEY`. */
  readonly privateKey: KeyObject;
  readonly timeline: CallTimeline;
  /** How long a `speak` or a playback lasts before its `...ended` webhook, and a transfer rings. */
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
  /** A transfer's new leg: the call it was created from. */
  parent?: CallRecord;
  /** The legs bridged to this one, which end with it. */
  bridged?: CallRecord;
}

// The typed payload of each webhook the simulator sends (the SDK's own webhook types).
type Payloads = {
  'call.answered': Webhooks.CallAnswered.Payload;
  'call.bridged': Webhooks.CallBridged.Payload;
  'call.hangup': Webhooks.CallHangup.Payload;
  'call.speak.ended': Webhooks.CallSpeakEnded.Payload;
  'call.playback.started': Webhooks.CallPlaybackStarted.Payload;
  'call.playback.ended': Webhooks.CallPlaybackEnded.Payload;
  'streaming.started': Webhooks.CallStreamingStarted.Payload;
};
type MediaEnded = 'call.speak.ended' | 'call.playback.ended';

/**
 * Attaches to the Telnyx API simulator and sends what Telnyx would after each command:
 * `call.answered` after answer, `...ended` after speak and playback, `streaming.started`,
 * a transfer's new leg (answered and bridged, or hung up unanswered), `call.hangup` after
 * hangup and reject; each echoes the client_state its call carries.
 */
export function startCallSimulator(options: CallSimulatorOptions): CallSimulator {
  const calls = new Map<string, CallRecord>();
  const timers = new Set<NodeJS.Timeout>();
  const sending = new Set<Promise<void>>();
  let stopped = false;
  const { timeline } = options;

  // The call's record; bare when its call.initiated was never seen (e.g. a hand-made webhook).
  const recordOf = (callControlId: string) => {
    const call = { callControlId, callLegId: '', callSessionId: '', from: '', to: '' };
    const record = calls.get(callControlId) ?? { call, clientState: null, ended: false };
    calls.set(callControlId, record);
    return record;
  };
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) action();
    }, ms);
    timers.add(timer);
  };
  const send = <T extends keyof Payloads>(record: CallRecord, type: T, payload: Payloads[T]) => {
    // A transfer's leg is a call Telnyx placed.
    const direction = record.parent ? { direction: 'outgoing' as const } : {};
    const body = callEventBody(type, record.call, {
      client_state: record.clientState,
      ...direction,
      ...payload,
    });
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
  const endCall = (
    record: CallRecord,
    source: 'caller' | 'callee',
    detail: string,
    cause: NonNullable<Webhooks.CallHangup.Payload['hangup_cause']> = 'normal_clearing',
  ) => {
    if (record.ended) return;
    record.ended = true;
    options.telnyx.endCall(record.call.callControlId);
    timeline.add(record.call.callControlId, 'hangup', detail);
    send(record, 'call.hangup', { state: 'hangup', hangup_cause: cause, hangup_source: source });
    if (record.bridged) endCall(record.bridged, source, `bridged leg ended: ${detail}`);
  };
  const callerStays = (record: CallRecord) => {
    const ms = record.hangupAfterMs ?? options.defaultHangupAfterMs;
    later(ms, () => endCall(record, 'caller', `caller hung up after ${ms / 1000}s`));
  };
  const mediaEnds = (record: CallRecord, type: MediaEnded, heard: string) =>
    later(options.speakMs, () => {
      if (record.ended) return;
      timeline.add(record.call.callControlId, 'heard', `caller heard ${heard}`);
      send(record, type, { status: 'completed' });
    });

  const transfer = (record: CallRecord, command: ReceivedCommand) => {
    const to = String(command.body.to);
    const leg: CallRecord = {
      call: newCall(String(command.body.from ?? record.call.from), to),
      clientState: (command.body.target_leg_client_state as string | undefined) ?? null,
      ended: false,
      parent: record,
    };
    calls.set(leg.call.callControlId, leg);
    const outcome = transferOutcomeOf(to);
    const id = record.call.callControlId;
    if (outcome === 'answered') {
      later(options.speakMs, () => {
        if (record.ended) return;
        timeline.add(id, 'heard', `${to} answered; caller bridged to it`);
        record.bridged = leg;
        leg.bridged = record;
        send(leg, 'call.answered', { state: 'answered' });
        send(record, 'call.bridged', {});
        send(leg, 'call.bridged', {});
      });
      return;
    }
    const ringMs = Math.min(options.speakMs, Number(command.body.timeout_secs ?? 30) * 1000);
    const cause = outcome === 'busy' ? 'user_busy' : 'timeout';
    later(ringMs, () => endCall(leg, 'callee', `transfer to ${to} failed (${cause})`, cause));
    timeline.add(id, 'heard', `ringing ${to} (it will not answer: ${outcome})`);
  };

  const onCommand = (command: ReceivedCommand) => {
    const record = recordOf(command.callControlId);
    if (typeof command.body.client_state === 'string')
      record.clientState = command.body.client_state;
    timeline.add(command.callControlId, 'command', describeCommand(command));
    switch (command.action) {
      case 'answer':
        send(record, 'call.answered', { state: 'answered' });
        if (command.body.stream_url) send(record, 'streaming.started', {});
        // Denied callers are hung up by the worker; everyone else stays until they leave.
        if (decodeCallState(record.clientState)?.action !== 'deny') callerStays(record);
        return;
      case 'speak':
        return mediaEnds(record, 'call.speak.ended', `"${String(command.body.payload)}"`);
      case 'playback_start':
        send(record, 'call.playback.started', {});
        return mediaEnds(record, 'call.playback.ended', String(command.body.audio_url));
      case 'streaming_start':
        return send(record, 'streaming.started', {});
      case 'transfer':
        return transfer(record, command);
      case 'reject':
        return endCall(record, 'callee', 'call rejected (busy) without answering', 'user_busy');
      case 'hangup':
        return endCall(record, 'callee', 'call hung up by the application (hangup command)');
    }
  };
  options.telnyx.onCommand((command) => {
    if (!stopped) onCommand(command);
  });

  return {
    observeInitiated(call) {
      options.telnyx.startCall(call.callControlId);
      recordOf(call.callControlId).call = call;
    },
    planHangup(id, afterMs) {
      recordOf(id).hangupAfterMs = afterMs;
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...sending]);
    },
  };
}
