import type { CallSimulator } from './call-simulator.js';
import type { CallTimeline } from './call-timeline.js';
import type { RouteReply } from './http-gateway.js';

/** The prefix of the pipeline's own endpoints; API Gateway in AWS has none of them. */
export const LOCAL_PATH = '/_local';

/**
 * The local-only endpoints `npm run call` uses: `GET /_local/health`, `GET /_local/calls`,
 * `GET /_local/calls/:id` (a call's timeline) and `PUT /_local/calls/:id/caller` with
 * `{"hangupAfterSeconds": n}` (when the simulated caller of an accepted call hangs up).
 */
export function localRoutes(
  timeline: CallTimeline,
  callSimulator: () => CallSimulator | undefined,
  simulated: boolean,
) {
  return async (method: string, url: URL, body: string): Promise<RouteReply | undefined> => {
    const path = url.pathname;
    if (method === 'GET' && path === `${LOCAL_PATH}/health`) {
      return { status: 200, body: { ok: true, telnyx: simulated ? 'simulator' : 'api' } };
    }
    if (method === 'GET' && path === `${LOCAL_PATH}/calls`) {
      return { status: 200, body: { calls: timeline.ids() } };
    }
    const match = /^\/_local\/calls\/([^/]+)(\/caller)?$/.exec(path);
    if (!match) return undefined;
    const id = decodeURIComponent(match[1] as string);
    if (match[2] === undefined) {
      if (method !== 'GET') return { status: 405, body: { error: 'use GET' } };
      const story = timeline.get(id);
      if (!story) return { status: 404, body: { error: 'unknown call' } };
      return { status: 200, body: story };
    }
    if (method !== 'PUT') return { status: 405, body: { error: 'use PUT' } };
    const simulator = callSimulator();
    if (!simulator) return { status: 409, body: { error: 'Telnyx is not simulated' } };
    const seconds = hangupAfterSeconds(body);
    if (seconds === undefined) {
      return { status: 400, body: { error: 'hangupAfterSeconds must be a number >= 0' } };
    }
    simulator.planHangup(id, seconds * 1000);
    return { status: 200, body: { ok: true } };
  };
}

function hangupAfterSeconds(body: string): number | undefined {
  try {
    const value = (JSON.parse(body) as { hangupAfterSeconds?: unknown }).hangupAfterSeconds;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
