import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { interceptOutput } from '../local/capture-output.js';
import {
  DEFAULT_ENV_FILE,
  type EnvVarsFile,
  envFor,
  invokeFunction,
} from '../local/invoke-function.js';

// `npm run invoke`: runs a built bundle once with a sample event, as `sam local invoke` would.
const USAGE =
  'usage: npm run invoke -- <ingest|worker|admin> <event.json> [--env-vars <file>] [--build]';

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'env-vars': { type: 'string', default: DEFAULT_ENV_FILE },
      build: { type: 'boolean', default: false },
    },
  });
  const [name, eventPath] = positionals;
  if (!(name === 'ingest' || name === 'worker') || !eventPath) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const event = readJson(eventPath);
  const env = envFor(name, readJson(values['env-vars']) as EnvVarsFile);
  // As with `sam local invoke`, the function's logs go to stderr and only the response to
  // stdout, so `npm run -s invoke -- ... | jq` works.
  const stdout = process.stdout.write.bind(process.stdout);
  interceptOutput((chunk) => process.stderr.write(chunk), [process.stdout]);
  process.setSourceMapsEnabled(true); // what NODE_OPTIONS=--enable-source-maps does in Lambda
  const outcome = await invokeFunction(name, event, env, { rebuild: values.build });
  stdout(`${JSON.stringify(outcome.ok ? outcome.result : outcome.error, null, 2)}\n`);
  return outcome.ok ? 0 : 1;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(resolve(path), 'utf8'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Lambda freezes the sandbox after the response; a one-shot CLI exits rather than wait for
  // the bundles' Redis connection and keep-alive sockets to close.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
