import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { localEnvVars, SIGNED_EVENTS_DIR, WORKER_CAPACITY_ENV } from '../../bin/sign-events.js';
import { PROJECT_ROOT } from '../../lib/bundling.js';
import { CallAdmissionStack, STACK_NAME } from '../../lib/call-admission-stack.js';
import { bundledFunctionCode } from '../../lib/function-code.js';
import { FUNCTIONS } from '../../local/invoke-function.js';
import { documentationFiles } from '../support/markdown-links.js';
import { type CfnResource, cdkJsonContext, findFunction } from './stack-fixture.js';

// SAM reads what `cdk synth` writes: the logical ids, the handler, and the `aws:asset:path`
// metadata naming each function's code directory. Synthesize the same way (real bundles,
// asset metadata on, as the CDK CLI sets it) and check the documentation and the env-vars
// file `npm run events` writes against it.
const outdir = mkdtempSync(join(tmpdir(), 'sam-invoke-'));
let resources: Record<string, CfnResource & { Metadata?: Record<string, unknown> }>;
let templateFile: string;

const doc = documentationFiles(PROJECT_ROOT)
  .map((file) => readFileSync(join(PROJECT_ROOT, file), 'utf8'))
  .join('\n');
const samLines = [
  ...doc.matchAll(/^sam local invoke -t cdk\.out\/(\S+) (\S+) -e (\S+) --env-vars (\S+)/gm),
].map(([, template, logicalId, event, envVars]) => ({ template, logicalId, event, envVars }));
const SIGNED_ENV_FILE = `${SIGNED_EVENTS_DIR}/env.json`;
const envFile = localEnvVars({}, 'dev-public-key', {});

// Variables of the env-vars file the template does not declare, which SAM therefore ignores;
// the documentation must name each one.
const UNDECLARED = {
  ingest: ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_SQS'],
  worker: [] as string[],
};

beforeAll(() => {
  const context = { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true };
  const app = new App({ outdir, context });
  new CallAdmissionStack(app, STACK_NAME, {
    code: bundledFunctionCode(join(outdir, '.bundles')),
    // What `-c localInvoke=true` (the documented synth line for SAM) sets.
    localInvoke: true,
  });
  const stack = app.synth().getStackByName(STACK_NAME);
  resources = stack.template.Resources;
  templateFile = stack.templateFile;
}, 60_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it('documents one sam local invoke line per sample event, on the synthesized template', () => {
  // Every event is run as `npm run events` writes it: ingest re-signed, worker refreshed.
  expect(samLines.map((line) => line.event).sort()).toEqual(
    [
      'ingest-call-initiated.json',
      'worker-call-answered-deny.json',
      'worker-call-hangup.json',
      'worker-call-initiated.json',
      'worker-call-speak-ended.json',
    ].map((name) => `${SIGNED_EVENTS_DIR}/${name}`),
  );
  for (const line of samLines) {
    expect(line.template).toBe(templateFile);
    expect(line.envVars).toBe(SIGNED_ENV_FILE);
    const template = (line.event as string).replace(SIGNED_EVENTS_DIR, 'events');
    expect(existsSync(join(PROJECT_ROOT, template))).toBe(true);
  }
});

it('leaves the secrets extension layer out of the SAM template (the env-vars file gives plain values)', () => {
  const workers = Object.values(resources).filter(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      JSON.stringify(resource.Properties.Description ?? '').includes('worker'),
  );
  expect(workers).toHaveLength(1);
  expect(workers[0]?.Properties.Layers).toBeUndefined();
  expect(JSON.stringify(workers[0]?.Properties.Environment)).not.toContain(
    'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  );
});

it('names in the docs and env.json only Lambda functions whose bundle SAM can mount', () => {
  const ids = new Set([
    ...samLines.map((line) => line.logicalId as string),
    ...Object.keys(envFile).filter((key) => key !== 'Parameters'),
  ]);
  expect(ids.size).toBeGreaterThan(0);
  for (const id of ids) {
    const resource = resources[id];
    expect(resource?.Type).toBe('AWS::Lambda::Function');
    expect(resource?.Properties.Handler).toBe('index.handler');
    expect(resource?.Metadata?.['aws:asset:property']).toBe('Code');
    const assetPath = resource?.Metadata?.['aws:asset:path'] as string;
    expect(existsSync(join(outdir, assetPath, 'index.mjs'))).toBe(true);
  }
});

it.each(['ingest', 'worker'] as const)(
  'gives npm run invoke the %s function logical id, timeout and memory',
  (name) => {
    const [logicalId, resource] = findFunction(resources, name);

    expect(FUNCTIONS[name].logicalId).toBe(logicalId);
    expect(resource.Properties.Timeout).toBe(FUNCTIONS[name].timeoutSeconds);
    expect(resource.Properties.MemorySize).toBe(FUNCTIONS[name].memoryMb);
    expect(samLines.some((line) => line.logicalId === logicalId)).toBe(true);
  },
);

it('gives npm run invoke the reconciler function logical id, timeout and memory', () => {
  const [logicalId, resource] = findFunction(resources, 'reconciler');

  expect(FUNCTIONS.reconciler.logicalId).toBe(logicalId);
  expect(resource.Properties.Timeout).toBe(FUNCTIONS.reconciler.timeoutSeconds);
  expect(resource.Properties.MemorySize).toBe(FUNCTIONS.reconciler.memoryMb);
});

it.each(['ingest', 'worker'] as const)(
  'documents every %s variable of env.json that SAM cannot override',
  (name) => {
    const [logicalId, resource] = findFunction(resources, name);
    const declared = (resource.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;

    const ignored = Object.keys(envFile[logicalId] ?? {}).filter((key) => !(key in declared));

    expect(ignored.sort()).toEqual([...UNDECLARED[name]].sort());
    for (const variable of ignored) expect(doc).toContain(`\`${variable}\``);
  },
);

it('gives the worker in env.json the capacity settings of every other local run', () => {
  const worker = envFile[FUNCTIONS.worker.logicalId] as Record<string, string>;

  expect(worker).toMatchObject(WORKER_CAPACITY_ENV);
});
