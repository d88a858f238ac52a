import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { planJsonSchema } from '../shared/plans/plan-json-schema.js';

/** Where the generated JSON Schema is committed (editors point `$schema` at it). */
const PATH = 'docs/tenant-plan.schema.json';

writeFileSync(PATH, `${JSON.stringify(planJsonSchema(), null, 2)}\n`);
// Formatted as the repository formats JSON, so `npm run lint` stays clean.
execFileSync('npx', ['biome', 'format', '--write', PATH], { stdio: 'ignore' });
console.log(`wrote ${PATH}`);
