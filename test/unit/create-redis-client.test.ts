import { createRedisClient } from '../../shared/redis/create-redis-client.js';
import { RecordingLogger } from '../support/recording-logger.js';

describe('createRedisClient', () => {
  it("applies the contract's retry and ready-check settings, a command timeout and RESP2", () => {
    const redis = createRedisClient(
      { redisUrl: 'redis://127.0.0.1:1', redisCommandTimeoutMs: 750 },
      { logger: new RecordingLogger() },
    );
    try {
      expect(redis.options).toMatchObject({
        maxRetriesPerRequest: 2,
        enableReadyCheck: true,
        commandTimeout: 750,
        protocol: 2,
      });
      expect(redis.options.tls).toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });

  it('speaks TLS to a rediss:// URL and authenticates with the token it is given', () => {
    const redis = createRedisClient(
      { redisUrl: 'rediss://master.cache.example.internal:6380', redisCommandTimeoutMs: 1000 },
      { authToken: 'secret-token', logger: new RecordingLogger() },
    );
    try {
      expect(redis.options.tls).toMatchObject({ servername: 'master.cache.example.internal' });
      expect(redis.options.password).toBe('secret-token');
      expect(redis.options.port).toBe(6380);
    } finally {
      redis.disconnect();
    }
  });

  it('logs a connection error once per kind instead of on every reconnect attempt', async () => {
    const logger = new RecordingLogger();
    const redis = createRedisClient(
      { redisUrl: 'redis://127.0.0.1:1', redisCommandTimeoutMs: 200 },
      { logger },
    );
    try {
      await redis.get('anything').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(logger.messages('warn')).toEqual(['redis connection error']);
    } finally {
      redis.disconnect();
    }
  });
});
