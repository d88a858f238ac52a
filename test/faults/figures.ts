import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where each fault test file leaves the figures it measured (git-ignored). */
export const FIGURES_DIR = join(process.cwd(), '.local', 'reliability');

/** One scenario as the reliability report shows it: what was done, what was seen, the counts. */
export interface ScenarioFigures {
  readonly scenario: string;
  readonly injected: string;
  readonly observed: string;
  readonly figures: Readonly<Record<string, number | string | boolean>>;
}

/**
 * Collects a test file's scenarios and writes them to `.local/reliability/<file>.json` after
 * the file has run, so `docs/reliability.md` is generated from a real run, never typed in.
 */
export function figureRecorder(file: string) {
  const scenarios: ScenarioFigures[] = [];
  return {
    record(entry: ScenarioFigures): void {
      scenarios.push(entry);
    },
    write(extra: Readonly<Record<string, number | string | boolean>> = {}): void {
      mkdirSync(FIGURES_DIR, { recursive: true });
      const body = { file, writtenAt: new Date().toISOString(), ...extra, scenarios };
      writeFileSync(join(FIGURES_DIR, `${file}.json`), `${JSON.stringify(body, null, 2)}\n`);
    },
  };
}
