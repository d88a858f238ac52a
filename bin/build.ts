import { buildAllFunctions } from '../lib/bundling.js';

// `npm run build`: writes dist/functions/{ingest,worker}/index.mjs from lib/bundling.ts.
for (const [name, outDir] of Object.entries(buildAllFunctions())) {
  console.log(`built ${name} -> ${outDir}/index.mjs`);
}
