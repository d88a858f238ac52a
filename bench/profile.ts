import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one owner (an npm package, a project file or a V8 pseudo-frame). */
export interface ProfileShare {
  readonly owner: string;
  readonly percent: number;
}

// Groups a frame by who owns the code: the npm package, node's own modules, or our sources.
function owner(frame: ProfileNode['callFrame']): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return pkg;
  // The sampler's own session sits at the bottom of every stack it cannot walk further.
  if (frame.url === 'node:inspector') return '(native, no JS caller)';
  if (frame.url.startsWith('node:')) return frame.url;
  const project = /\/((?:shared|functions|local|bench|test)\/.*)$/.exec(frame.url)?.[1];
  if (project) return project;
  return `(${frame.functionName || 'anonymous'})`;
}

/**
 * CPU-profiles `fn` with the in-process inspector (100 us sampling) and returns self time by
 * owner (native frames charged to their JS caller), largest first: the "where the time goes"
 * of a figure that misses its goal.
 */
export async function profileByOwner(
  fn: () => Promise<unknown>,
  top = 10,
): Promise<ProfileShare[]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    await fn();
  } catch (error) {
    await session.post('Profiler.stop');
    session.disconnect();
    throw error;
  }
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  return shares(profile, top);
}

// V8 pseudo-frames that are not work done on anyone's behalf.
const ENGINE = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

function shares(profile: CpuProfile, top: number): ProfileShare[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  // Native code (crypto, syscalls, builtins) has no URL: charge it to the nearest JS caller.
  const chargedTo = (id: number): ProfileNode['callFrame'] | undefined => {
    let current: number | undefined = id;
    while (current !== undefined) {
      const frame = frames.get(current);
      if (frame && (frame.url !== '' || ENGINE.has(frame.functionName))) return frame;
      current = parents.get(current);
    }
    return frames.get(id);
  };
  const byOwner = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = chargedTo(id);
    if (!frame) return;
    const name = owner(frame);
    byOwner.set(name, (byOwner.get(name) ?? 0) + delta);
    total += delta;
  });
  return [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, time]) => ({ owner: name, percent: (100 * time) / total }));
}

/** `owner 23.4%, owner 12.0%, ...` for a report line. */
export function describeShares(list: readonly ProfileShare[]): string {
  return list.map((s) => `\`${s.owner}\` ${s.percent.toFixed(1)}%`).join(', ');
}
