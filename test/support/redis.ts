import { Redis } from 'ioredis';

/** The private test server's URL, started by global-setup (never the developer's Redis). */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests through jest (global-setup)');
  return url;
}

/**
 * A client on a logical database of its own (1-15, handed out by a counter in db 0), flushed
 * first, so test files running side by side never see each other's keys.
 */
export async function isolatedRedis(): Promise<{ redis: Redis; url: string; db: number }> {
  const admin = new Redis(testRedisUrl(), { protocol: 2 });
  const db = ((await admin.incr('test:db-counter')) % 15) + 1;
  admin.disconnect();
  const url = `${testRedisUrl()}/${db}`;
  const redis = new Redis(url, { protocol: 2 });
  await redis.flushdb();
  return { redis, url, db };
}

/** Distinct key prefixes for one test, so tests sharing a database stay independent. */
export function uniquePrefixes(): { capPrefix: string; tenantmapPrefix: string } {
  const tag = Math.random().toString(36).slice(2, 10);
  return { capPrefix: `cap-${tag}`, tenantmapPrefix: `tenantmap-${tag}` };
}
