import type { CallStory } from '../../local/call-timeline.js';
import { type WaitProgress, waitForCalls } from '../../local/wait-for-calls.js';

// A pipeline whose calls end after a given number of polls each (Infinity: never).
function pipelineEndingAfter(polls: Record<string, number>) {
  const seen = new Map<string, number>();
  return {
    async story(id: string): Promise<CallStory | undefined> {
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      const done = count >= (polls[id] ?? Infinity);
      return { callControlId: id, done, entries: [] };
    },
  };
}

it('reports each call as it ends and returns the timelines in the order given', async () => {
  const progress: WaitProgress[] = [];

  const stories = await waitForCalls(pipelineEndingAfter({ a: 3, b: 1 }), ['a', 'b'], {
    timeoutMs: 5000,
    pollMs: 1,
    onProgress: (p) => progress.push(p),
  });

  expect(progress.map((p) => (p.kind === 'ended' ? p.index : p.kind))).toEqual([1, 0]);
  expect(stories.map((story) => [story?.callControlId, story?.done])).toEqual([
    ['a', true],
    ['b', true],
  ]);
});

it('says how many calls are still in progress while none ends, then gives up at the timeout', async () => {
  const progress: WaitProgress[] = [];

  const stories = await waitForCalls(pipelineEndingAfter({ a: 1 }), ['a', 'b'], {
    timeoutMs: 60,
    pollMs: 5,
    quietMs: 20,
    onProgress: (p) => progress.push(p),
  });

  const waiting = progress.filter((p) => p.kind === 'waiting');
  expect(waiting.length).toBeGreaterThanOrEqual(1);
  expect(waiting.every((p) => p.inProgress === 1)).toBe(true);
  expect(stories.map((story) => story?.done)).toEqual([true, false]);
});
