import { startLocalServices } from '../../local/local-system.js';

it('names each part as it starts it: queue, private Redis, Telnyx simulator', async () => {
  const parts: string[] = [];

  const services = await startLocalServices({ onProgress: (part) => parts.push(part) });
  await services.stop();

  expect(parts).toEqual([
    'SQS FIFO queue (local-aws-sqs)',
    'Redis (private redis-server)',
    'Telnyx Call Control simulator',
  ]);
  expect(services.redisServer).toBeDefined();
  expect(services.telnyx).toBeDefined();
});

it('starts neither Redis nor the simulator when REDIS_URL and TELNYX_API_KEY are given', async () => {
  const parts: string[] = [];
  const env = { REDIS_URL: 'redis://127.0.0.1:1', TELNYX_API_KEY: 'KEY_real' };

  const services = await startLocalServices({ env, onProgress: (part) => parts.push(part) });
  await services.stop();

  expect(parts).toEqual(['SQS FIFO queue (local-aws-sqs)']);
  expect(services.redisUrl).toBe('redis://127.0.0.1:1');
  expect(services.telnyx).toBeUndefined();
});
