import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { isolatedRedis, uniquePrefixes } from '../support/redis.js';

const CALLS_PER_PROCESS = 200;

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly lines: AsyncIterator<string>;
  readonly rl: Interface;
}

function startChild(url: string): Child {
  const script = fileURLToPath(new URL('../support/acquire-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, url], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const rl = createInterface({ input: child.stdout });
  return { process: child, rl, lines: rl[Symbol.asyncIterator]() };
}

async function burst(child: Child, request: unknown): Promise<number> {
  child.process.stdin.write(`${JSON.stringify(request)}\n`);
  const { value } = await child.lines.next();
  return JSON.parse(value as string).admitted;
}

let redis: Redis;
let url: string;
let children: Child[];

beforeAll(async () => {
  ({ redis, url } = await isolatedRedis());
  children = [startChild(url), startChild(url)];
});

afterAll(async () => {
  for (const child of children) {
    child.process.stdin.end();
    await once(child.process, 'exit');
  }
  redis.disconnect();
});

it('two processes firing hundreds of parallel acquires admit exactly the cap, for random caps', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 150 }),
      fc.constantFrom('global', 'tenant', 'rpm'),
      async (cap, which) => {
        const prefixes = uniquePrefixes();
        const big = 10_000;
        const settings = {
          ...prefixes,
          globalConcurrencyCap: which === 'global' ? cap : big,
          tenantConcurrencyCapDefault: which === 'tenant' ? cap : big,
          tenantCallsPerMinCapDefault: which === 'rpm' ? cap : big,
          capacityTtlSeconds: 600,
        };
        const admitted = await Promise.all(
          children.map((child, i) =>
            burst(child, {
              settings,
              tenantId: 'acme',
              callIds: Array.from({ length: CALLS_PER_PROCESS }, (_, n) => `p${i}-call-${n}`),
            }),
          ),
        );
        const total = admitted.reduce((a, b) => a + b, 0);
        expect(total).toBe(cap);
        expect(await redis.scard(`${prefixes.capPrefix}:global:active`)).toBe(cap);
        expect(await redis.scard(`${prefixes.capPrefix}:tenant:acme:active`)).toBe(cap);
      },
    ),
    { numRuns: 15 },
  );
});
