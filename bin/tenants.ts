import { readPipelineState } from '../local/pipeline-state.js';
import { runTenantsCli, USAGE } from '../local/tenants-cli.js';

// Tenant administration: against Redis directly, or a deployed stack's admin function
// (--stack / --function). See `npm run tenants -- --help`.
const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}
process.exitCode = await runTenantsCli(argv, {
  env: process.env,
  pipeline: readPipelineState(),
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
