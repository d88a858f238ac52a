import { setTimeout as sleep } from 'node:timers/promises';
import type { CallStory } from './call-timeline.js';

/** Talks to a running local pipeline's `/_local` endpoints (what `npm run call` uses). */
export interface PipelineClient {
  /** Which Telnyx the pipeline drives; throws when nothing answers at the URL. */
  health(): Promise<{ telnyx: 'simulator' | 'api' }>;
  /** Tells the simulator when the caller of an accepted call hangs up. */
  planHangup(callControlId: string, afterSeconds: number): Promise<void>;
  /** The call's timeline, or `undefined` while the pipeline has not seen it. */
  story(callControlId: string): Promise<CallStory | undefined>;
  /** Polls until the call is over (its hangup processed) or `timeoutMs` passes. */
  waitUntilDone(callControlId: string, timeoutMs: number): Promise<CallStory | undefined>;
}

/** A client for the pipeline at `baseUrl` (e.g. http://127.0.0.1:3000). */
export function pipelineClient(baseUrl: string): PipelineClient {
  const request = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${baseUrl}${path}`, init);
    const body = (await response.json()) as unknown;
    return { status: response.status, body };
  };
  const story = async (id: string) => {
    const { status, body } = await request(`/_local/calls/${encodeURIComponent(id)}`);
    return status === 200 ? (body as CallStory) : undefined;
  };
  return {
    async health() {
      const { status, body } = await request('/_local/health');
      if (status !== 200) throw new Error(`${baseUrl} is not the local pipeline (HTTP ${status})`);
      return body as { telnyx: 'simulator' | 'api' };
    },
    async planHangup(id, afterSeconds) {
      const { status, body } = await request(`/_local/calls/${encodeURIComponent(id)}/caller`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hangupAfterSeconds: afterSeconds }),
      });
      if (status !== 200) throw new Error(`could not plan the hangup: ${JSON.stringify(body)}`);
    },
    story,
    async waitUntilDone(id, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let latest = await story(id);
      while (!latest?.done && Date.now() < deadline) {
        await sleep(100);
        latest = await story(id);
      }
      return latest;
    },
  };
}
