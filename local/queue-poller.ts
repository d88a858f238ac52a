import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSRecord } from 'aws-lambda';
import { type PollOptions, pollOnce, type WorkerHandler } from './poll-once.js';

/** How `startQueuePoller` runs the event source loop. */
export interface QueuePollerOptions extends PollOptions {
  /** Sees each batch the worker was given and the message ids it failed. */
  readonly onBatch?: (records: readonly SQSRecord[], failed: ReadonlySet<string>) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs `pollOnce` in a loop, one batch at a time, as Lambda's FIFO event source does. Like SQS
 * FIFO it blocks a message group while one of its messages waits for a retry, which
 * local-aws-sqs does not emulate: later messages of that call are put back, not delivered.
 * Returns `stop`, which stops polling and waits for the batch in progress.
 */
export function startQueuePoller(options: QueuePollerOptions): () => Promise<void> {
  const worker = groupLockedWorker(options.worker, options.onBatch);
  const idle = new AbortController();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { delivered } = await pollOnce({ ...options, worker });
        if (delivered === 0) await sleep(50, undefined, { signal: idle.signal });
      } catch (error) {
        if (stopped) return;
        options.onError?.(error);
        await sleep(1000, undefined, { signal: idle.signal }).catch(() => {});
      }
    }
  })();
  return async () => {
    stopped = true;
    idle.abort();
    await loop;
  };
}

// A group stays blocked until its failed messages come back in order, or a minute at most.
const MAX_HOLD_MS = 60_000;

function groupLockedWorker(
  worker: WorkerHandler,
  onBatch: QueuePollerOptions['onBatch'],
): WorkerHandler {
  // Per held group: its failed message ids in queue order (only the first may be delivered next).
  const held = new Map<string, { readonly awaiting: string[]; readonly since: number }>();
  const groupOf = (record: SQSRecord) => record.attributes.MessageGroupId ?? record.messageId;
  return async (event, context) => {
    const deliver: SQSRecord[] = [];
    const deferred: string[] = [];
    const blocked = new Set<string>();
    for (const record of event.Records) {
      const group = groupOf(record);
      const hold = held.get(group);
      if (hold && Date.now() - hold.since > MAX_HOLD_MS) held.delete(group);
      // The oldest failed message goes first even after a later one of its group was put back.
      if (hold?.awaiting[0] === record.messageId) {
        hold.awaiting.shift();
        if (hold.awaiting.length === 0) held.delete(group);
      } else if (blocked.has(group) || held.has(group)) {
        blocked.add(group);
        deferred.push(record.messageId);
        continue;
      }
      deliver.push(record);
    }
    const response = deliver.length > 0 ? await worker({ Records: deliver }, context) : undefined;
    const failed = new Set(response?.batchItemFailures.map((f) => f.itemIdentifier) ?? []);
    for (const record of deliver.filter((r) => failed.has(r.messageId))) {
      const hold = held.get(groupOf(record)) ?? { awaiting: [], since: Date.now() };
      hold.awaiting.push(record.messageId);
      held.set(groupOf(record), hold);
    }
    if (deliver.length > 0) onBatch?.(deliver, failed);
    return {
      batchItemFailures: [...failed, ...deferred].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}
