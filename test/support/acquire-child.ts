// A separate process that fires parallel acquires on request, for the cross-process
// concurrency test. Protocol: one JSON request per stdin line, one JSON reply per line.
import { createInterface } from 'node:readline';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { createRedisClient } from '../../shared/redis/create-redis-client.js';

const quiet = { info() {}, error() {}, warn() {} };
const redis = createRedisClient(
  { redisUrl: process.argv[2] as string, redisCommandTimeoutMs: 5000 },
  { logger: quiet },
);

for await (const line of createInterface({ input: process.stdin })) {
  const { settings, tenantId, callIds } = JSON.parse(line);
  const limiter = createCapacityLimiter(redis, settings, quiet);
  const results = await Promise.all(callIds.map((id: string) => limiter.tryAcquire(id, tenantId)));
  const admitted = results.filter((r) => r.admitted).length;
  process.stdout.write(`${JSON.stringify({ admitted })}\n`);
}
redis.disconnect();
