import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../local/redis-server.js';
import { createRedisClient } from '../../shared/redis/create-redis-client.js';
import { RecordingLogger } from '../support/recording-logger.js';

/**
 * ElastiCache's primary endpoint is a DNS name that moves to the new primary on failover,
 * while open connections stay on the old node, now a read-only replica. This proxy plays the
 * endpoint: new connections go to whichever server it currently points at.
 */
async function endpointProxy(initial: number) {
  let target = initial;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port: target, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  return {
    port: address.port,
    pointAt(port: number) {
      target = port;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let oldPrimary: RedisServer;
let newPrimary: RedisServer;
beforeAll(async () => {
  [oldPrimary, newPrimary] = await Promise.all([startRedisServer(), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([oldPrimary.stop(), newPrimary.stop()]);
});

describe('a Redis failover that demotes the primary the worker is connected to', () => {
  it('reconnects on READONLY replies and writes to the new primary', async () => {
    const proxy = await endpointProxy(oldPrimary.port);
    const client = createRedisClient(
      { redisUrl: `redis://127.0.0.1:${proxy.port}`, redisCommandTimeoutMs: 1000 },
      { logger: new RecordingLogger() },
    );
    const admin = new Redis(oldPrimary.url, { protocol: 2 });
    try {
      await client.set('before', '1');

      // Failover: the old primary becomes a replica of the new one; the endpoint moves.
      proxy.pointAt(newPrimary.port);
      await admin.replicaof('127.0.0.1', newPrimary.port);

      const reply = await client.set('after', '1').catch((error: Error) => error.message);

      expect(reply).toBe('OK');
      const reader = new Redis(newPrimary.url, { protocol: 2 });
      expect(await reader.get('after')).toBe('1');
      reader.disconnect();
    } finally {
      await admin.replicaof('NO', 'ONE');
      admin.disconnect();
      client.disconnect();
      await proxy.stop();
    }
  });
});
