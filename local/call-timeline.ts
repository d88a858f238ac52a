/** The kinds of step a call's timeline shows, in the words `npm run call` prints. */
export type TimelineStep =
  | 'webhook'
  | 'worker'
  | 'decision'
  | 'command'
  | 'heard'
  | 'hangup'
  | 'released'
  | 'problem';

/** One thing that happened to a call. */
export interface TimelineEntry {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly step: TimelineStep;
  readonly detail: string;
}

/** A call's story so far; `done` once its hangup was processed by the worker. */
export interface CallStory {
  readonly callControlId: string;
  readonly done: boolean;
  readonly entries: readonly TimelineEntry[];
}

/** Per-call timelines, filled from the gateway, the queue, the worker's logs and Telnyx's side. */
export interface CallTimeline {
  add(callControlId: string, step: TimelineStep, detail: string): void;
  get(callControlId: string): CallStory | undefined;
  ids(): string[];
  onEntry(listener: (callControlId: string, entry: TimelineEntry) => void): void;
}

// Bounded so a long-running `npm start` does not grow without end.
const MAX_CALLS = 1000;

/** Creates an in-memory timeline store that keeps the most recent calls. */
export function createCallTimeline(): CallTimeline {
  const calls = new Map<string, TimelineEntry[]>();
  const listeners: Array<(id: string, entry: TimelineEntry) => void> = [];
  return {
    add(id, step, detail) {
      let entries = calls.get(id);
      if (!entries) {
        entries = [];
        calls.set(id, entries);
        if (calls.size > MAX_CALLS) calls.delete(calls.keys().next().value as string);
      }
      const entry = { at: Date.now(), step, detail };
      entries.push(entry);
      for (const listener of listeners) listener(id, entry);
    },
    get(id) {
      const entries = calls.get(id);
      if (!entries) return undefined;
      return { callControlId: id, done: entries.some((e) => e.step === 'released'), entries };
    },
    ids: () => [...calls.keys()],
    onEntry: (listener) => listeners.push(listener),
  };
}
