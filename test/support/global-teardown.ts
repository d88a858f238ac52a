import type { RedisServer } from '../../local/redis-server.ts';

/** Stops the private redis-server that global-setup started. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __redisServer?: RedisServer }).__redisServer?.stop();
}
