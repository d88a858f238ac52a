import type { CallStory, TimelineEntry } from './call-timeline.js';

/** A call id short enough for a terminal column (`v3:` ids are 60+ characters). */
export function shortCallId(callControlId: string): string {
  const bare = callControlId.replace(/^v3:/, '');
  return bare.length > 10 ? `${bare.slice(0, 10)}…` : bare;
}

/** One live line for `npm start`: wall-clock time, call, step, what happened. */
export function formatLiveEntry(callControlId: string, entry: TimelineEntry): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  return `${time}  ${shortCallId(callControlId).padEnd(11)}  ${entry.step.padEnd(8)}  ${entry.detail}`;
}

/** A whole call for `npm run call`: each step with its time since the first. */
export function formatStory(story: CallStory, title: string): string {
  const start = story.entries[0]?.at ?? 0;
  const lines = story.entries.map((entry) => {
    const offset = `+${((entry.at - start) / 1000).toFixed(3)}s`;
    return `  ${offset.padStart(8)}  ${entry.step.padEnd(8)}  ${entry.detail}`;
  });
  return [title, ...lines].join('\n');
}
