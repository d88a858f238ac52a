/** Small statistics helpers: every figure is a median over rounds, with its spread. */

/** A sample summary: the median and the spread (min and max over the rounds). */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The `q` quantile (0..1) of `values`, nearest-rank on a sorted copy. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    median: quantile(values, 0.5),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

/** Microseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function microsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** Mean microseconds per call of `op` over `iterations` sequential awaited calls. */
export async function perCallMicros(
  iterations: number,
  op: (i: number) => unknown,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) await op(i);
  return microsSince(start) / iterations;
}

/**
 * Runs named variants in alternating rounds (A, B, A, B, ...) so the machine's noise falls on
 * all of them alike; returns each variant's per-round figures.
 */
export async function interleave<K extends string>(
  rounds: number,
  variants: Record<K, (round: number) => Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  const results = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) results[name].push(await variants[name](round));
  }
  return results;
}

/** Each variant's rounds summarized. */
export function summarizeEach<K extends string>(results: Record<K, number[]>): Record<K, Summary> {
  const summaries = {} as Record<K, Summary>;
  for (const name of Object.keys(results) as K[]) summaries[name] = summarize(results[name]);
  return summaries;
}

/** `top / bottom` round by round (against that round's baseline), summarized. */
export function perRound(top: readonly number[], bottom: readonly number[]): Summary {
  return summarize(top.map((value, i) => value / (bottom[i] as number)));
}

/** Two variants' figures added round by round. */
export function addRounds(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value + (b[i] as number));
}

/** `12.3` style formatting with a sensible number of digits for the magnitude. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `median (min-max)`. */
export function fmtSummary(summary: Summary, unit = ''): string {
  return `${fmt(summary.median)}${unit} (${fmt(summary.min)}-${fmt(summary.max)})`;
}
