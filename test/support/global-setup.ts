// Jest loads global setup through CommonJS without moduleNameMapper, hence the .ts import.
import { startRedisServer } from '../../local/redis-server.ts';

/**
 * Starts one private redis-server for the whole run and hands its URL to the test
 * workers through the environment (workers are forked after this runs).
 */
export default async function globalSetup(): Promise<void> {
  const server = await startRedisServer();
  process.env.TEST_REDIS_URL = server.url;
  (globalThis as { __redisServer?: typeof server }).__redisServer = server;
}
