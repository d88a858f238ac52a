import { setTimeout as sleep } from 'node:timers/promises';
import type { CallStory } from './call-timeline.js';
import type { PipelineClient } from './pipeline-client.js';

/** What {@link waitForCalls} reports while it waits: a call that ended, or that some still run. */
export type WaitProgress =
  | { readonly kind: 'ended'; readonly index: number; readonly story: CallStory }
  | { readonly kind: 'waiting'; readonly inProgress: number; readonly elapsedMs: number };

/** How long to wait and how often to look and to report. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Interval between polls of the pipeline (default 100 ms). */
  readonly pollMs?: number;
  /** A `waiting` report after this long without a call ending (default 5 s). */
  readonly quietMs?: number;
  readonly onProgress: (progress: WaitProgress) => void;
}

/**
 * Polls the calls' timelines until every call is over or `timeoutMs` passes, reporting each
 * call as it ends and, during quiet stretches, how many are still in progress. Returns each
 * call's last timeline (`undefined` for one the pipeline never saw), in the order given.
 */
export async function waitForCalls(
  client: Pick<PipelineClient, 'story'>,
  callControlIds: readonly string[],
  options: WaitOptions,
): Promise<Array<CallStory | undefined>> {
  const { timeoutMs, pollMs = 100, quietMs = 5000, onProgress } = options;
  const started = Date.now();
  const stories: Array<CallStory | undefined> = callControlIds.map(() => undefined);
  let lastReport = started;
  for (;;) {
    for (const [index, id] of callControlIds.entries()) {
      if (stories[index]?.done) continue;
      const story = await client.story(id);
      stories[index] = story;
      if (story?.done) {
        onProgress({ kind: 'ended', index, story });
        lastReport = Date.now();
      }
    }
    const inProgress = stories.filter((story) => !story?.done).length;
    const now = Date.now();
    if (inProgress === 0 || now - started >= timeoutMs) return stories;
    if (now - lastReport >= quietMs) {
      onProgress({ kind: 'waiting', inProgress, elapsedMs: now - started });
      lastReport = now;
    }
    await sleep(pollMs);
  }
}
