import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** A private, in-memory `redis-server` process: never the developer's own Redis. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGSTOP: the server keeps its socket open but answers nothing (a hung Redis). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Asks the kernel for a port that is free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function answersPing(port: number): Promise<boolean> {
  const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
  try {
    // once() rejects on a socket error (nothing listens yet) and after 200 ms without a reply.
    const [data] = await once(socket, 'data', { signal: AbortSignal.timeout(200) });
    return String(data).startsWith('+PONG');
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

async function waitUntilReady(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await answersPing(port)) return;
    await delay(50);
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

// No snapshots, no append-only file, reachable from this machine only.
const IN_MEMORY_ON_LOOPBACK = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

/** Starts `redis-server` (Debian's binary, or REDIS_SERVER_BIN) on a free loopback port, in memory only. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const args = ['--port', String(chosen), ...IN_MEMORY_ON_LOOPBACK];
  const child = spawn(bin, args, { stdio: 'ignore' });
  try {
    // once() rejects with the 'error' event (ENOENT when the binary is missing).
    await once(child, 'spawn');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot start ${bin} (${why}): install redis-server, or set REDIS_URL or REDIS_SERVER_BIN`,
      { cause: error },
    );
  }
  await waitUntilReady(chosen, child);
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
