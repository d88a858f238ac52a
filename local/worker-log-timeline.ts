import { LOG_MESSAGES } from '../shared/logging/log-messages.js';
import type { CallTimeline } from './call-timeline.js';
import type { LogLine } from './capture-output.js';

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
      return `tenant ${line.tenantId}: capacity acquired, call accepted${planOf(line)}`;
    case LOG_MESSAGES.capacityDenied:
      return `tenant ${line.tenantId}: capacity denied (${line.reason})`;
    case LOG_MESSAGES.callNotConfigured:
      return 'the dialed number is not mapped to a tenant';
    case LOG_MESSAGES.capacityCheckFailed:
      return `tenant ${line.tenantId}: capacity check failed (${line.error})`;
    case LOG_MESSAGES.callDenied:
      return line.mode === 'reject'
        ? `deny (${line.reason}): reject as busy without answering${planOf(line)}`
        : `deny (${line.reason}): answer, tell the caller why, hang up${planOf(line)}`;
    case LOG_MESSAGES.callPlanStep:
      return `plan step ${line.step}${planOf(line)}`;
    case LOG_MESSAGES.tenantConfigInvalid:
      return `tenant ${line.tenantId}: plan revision ${line.revision ?? '?'} invalid (${(line.problems as string[]).join('; ')}); using ${line.fallbackRevision === null ? "today's behaviour" : `revision ${line.fallbackRevision}`}`;
    default:
      return undefined;
  }
}

/** `(plan revision 3, onAdmit transfer)` when the line names a plan. */
function planOf(line: LogLine): string {
  if (line.revision === undefined) return '';
  const action = line.onAdmit === undefined ? '' : `, onAdmit ${line.onAdmit}`;
  return ` (plan revision ${line.revision}${action})`;
}
