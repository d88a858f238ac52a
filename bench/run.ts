// `npm run bench`: measures each hot path against its physical limit in one run and writes
// docs/benchmarks.md. `npm run bench -- ingest worker` runs a subset (printed, not written).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/bundling.js';
import { measureColdStart } from './cold-start.js';
import { measureEndToEnd } from './end-to-end.js';
import {
  type BenchEnvironment,
  progress,
  startBenchEnvironment,
  withLogsToDevNull,
} from './environment.js';
import { measureIngest } from './ingest.js';
import { measureLimiterScale } from './limiter-scale.js';
import { measureReconcilerCost } from './reconciler-cost.js';
import { renderReport, type Section } from './report.js';
import { measureRoundTrips } from './round-trips.js';
import { measureWorker } from './worker.js';

const MEASUREMENTS: Record<string, (env: BenchEnvironment) => Promise<Section>> = {
  ingest: measureIngest,
  worker: measureWorker,
  'round-trips': measureRoundTrips,
  'limiter-scale': measureLimiterScale,
  'reconciler-cost': measureReconcilerCost,
  'cold-start': measureColdStart,
  'end-to-end': measureEndToEnd,
};

const chosen = process.argv.slice(2);
const names = chosen.length > 0 ? chosen : Object.keys(MEASUREMENTS);
const startedAt = new Date();
const env = await startBenchEnvironment();
const sections: Section[] = [];
try {
  for (const name of names) {
    const measure = MEASUREMENTS[name];
    if (!measure) throw new Error(`unknown measurement ${name}`);
    progress(`${name}: starting`);
    sections.push(await withLogsToDevNull(() => measure(env)));
  }
} finally {
  await env.stop();
}
const report = renderReport(sections, startedAt, (Date.now() - startedAt.getTime()) / 1000);
if (chosen.length === 0) {
  const file = join(PROJECT_ROOT, 'docs', 'benchmarks.md');
  writeFileSync(file, report);
  // The repository's one formatter pads the tables, so `npm run lint` stays clean after a run.
  const biome = join(PROJECT_ROOT, 'node_modules', '.bin', 'biome');
  spawnSync(biome, ['format', '--write', file], { stdio: 'ignore' });
  progress('wrote docs/benchmarks.md');
}
process.stdout.write(report);
