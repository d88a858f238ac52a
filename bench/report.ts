import { cpus } from 'node:os';

/** One line of the results table. `status` is `info` for a figure without a goal. */
export interface Row {
  readonly figure: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly goal: string;
  readonly status: 'pass' | 'miss' | 'info';
}

/** What one measurement module hands back: its rows and the notes explaining them. */
export interface Section {
  readonly title: string;
  readonly method: string;
  readonly rows: readonly Row[];
  /** Breakdowns and explanations (markdown lines), e.g. where the time goes when a goal is missed. */
  readonly notes: readonly string[];
}

/** One table row, `-` in the columns a figure lacks: `pass`/`miss` by `met`, `info` without. */
export function row(
  figure: string,
  measured: string,
  baseline = '-',
  ratio = '-',
  goal = '-',
  met?: boolean,
): Row {
  const status = met === undefined ? 'info' : met ? 'pass' : 'miss';
  return { figure, measured, baseline, ratio, goal, status };
}

/** `row`'s goal and `met` for the goal `<= limit` (with its unit) on `value`; none without one. */
export function atMost(value: number, limit?: number, unit = 'x'): [goal: string, met?: boolean] {
  return limit === undefined ? ['-'] : [`<= ${limit}${unit}`, value <= limit];
}

/** The machine the figures belong to. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpu}, ${cpus().length} cores, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Renders every section as one markdown document: summary table first, then the details. */
export function renderReport(
  sections: readonly Section[],
  startedAt: Date,
  seconds: number,
): string {
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${startedAt.toISOString()} (${seconds.toFixed(0)} s run).`,
    `Machine: ${machine()}.`,
    '',
    'Every figure is a ratio against a baseline measured in the same run, on a shared and',
    'noisy machine: medians over interleaved rounds, spread as (min-max over rounds).',
    'Numbers are exactly as measured; rerun `npm run bench` to regenerate this file.',
    '',
    '| Measurement | Figure | Measured | Baseline | Ratio | Goal | Status |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const section of sections) {
    for (const row of section.rows) {
      lines.push(
        `| ${section.title} | ${row.figure} | ${row.measured} | ${row.baseline} | ${row.ratio} | ${row.goal} | ${row.status} |`,
      );
    }
  }
  for (const section of sections) {
    lines.push('', `## ${section.title}`, '', `Method: ${section.method}`);
    if (section.notes.length > 0) lines.push('', ...section.notes);
  }
  lines.push('');
  return lines.join('\n');
}
