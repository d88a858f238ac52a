import { LOG_MESSAGES } from '../shared/logging/log-messages.js';
import type { CallTimeline } from './call-timeline.js';

/** A parsed Powertools log line (one JSON object per line). */
export type LogLine = Record<string, unknown>;

/** Undoes `teeJsonLogs`. */
export type RestoreLogs = () => void;

/**
 * Tees stdout and stderr: each JSON line (the handlers' Powertools logs) goes to `onLine`
 * and is written through only when `show` says so; other output only when `showText` does.
 */
export function teeJsonLogs(
  onLine: (line: LogLine) => void,
  show: (line: LogLine) => boolean,
  showText: (text: string) => boolean = () => true,
): RestoreLogs {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    const write = originals[i] as typeof stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (!text.startsWith('{')) return showText(text) ? write(chunk, ...(rest as [])) : true;
      let shown = false;
      for (const raw of text.split('\n').filter((l) => l.trim() !== '')) {
        try {
          const line = JSON.parse(raw) as LogLine;
          onLine(line);
          shown ||= show(line);
        } catch {
          shown = true;
        }
      }
      return shown ? write(chunk, ...(rest as [])) : true;
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  };
}

/**
 * Reads the worker's log lines into call timelines. The worker processes one record at a time
 * and logs `processing event` (with the call id, at DEBUG) before each, so the lines that follow
 * belong to that call until the next one.
 */
export function workerLogsToTimeline(timeline: CallTimeline): (line: LogLine) => void {
  let current: string | undefined;
  return (line) => {
    if (line.function_name !== 'worker') return;
    const message = String(line.message);
    if (message === LOG_MESSAGES.processingEvent) {
      current = String(line.callControlId);
      timeline.add(current, 'worker', `${line.eventType} delivered to the worker`);
      return;
    }
    if (current === undefined) return;
    const decision = decisionOf(message, line);
    if (decision) timeline.add(current, 'decision', decision);
    else if (line.level === 'WARN' || line.level === 'ERROR') {
      const error = line.error === undefined ? '' : `: ${String(line.error)}`;
      timeline.add(current, 'problem', `worker logged "${message}"${error}`);
    }
  };
}

function decisionOf(message: string, line: LogLine): string | undefined {
  switch (message) {
    case LOG_MESSAGES.callAccepted:
      return `tenant ${line.tenantId}: capacity acquired, call accepted`;
    case LOG_MESSAGES.capacityDenied:
      return `tenant ${line.tenantId}: capacity denied (${line.reason})`;
    case LOG_MESSAGES.callNotConfigured:
      return 'the dialed number is not mapped to a tenant';
    case LOG_MESSAGES.capacityCheckFailed:
      return `tenant ${line.tenantId}: capacity check failed (${line.error})`;
    case LOG_MESSAGES.callDenied:
      return `deny (${line.reason}): answer, tell the caller why, hang up`;
    default:
      return undefined;
  }
}
