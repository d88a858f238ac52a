import { relative } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CallAdmissionStack, STACK_NAME } from '../lib/call-admission-stack.js';
import { bundledFunctionCode } from '../lib/function-code.js';

// The CDK app (cdk.json runs it): environment-agnostic, so `cdk synth` needs no account,
// no credentials and no lookups. Structural choices come from context (`-c natGateways=2`).
const app = new App();
const numberContext = (key: string): number | undefined => {
  const value = app.node.tryGetContext(key);
  return value === undefined ? undefined : Number(value);
};
new CallAdmissionStack(app, STACK_NAME, {
  description: 'Telnyx call admission: webhooks -> SQS FIFO -> worker -> Redis + Call Control',
  code: bundledFunctionCode(),
  natGateways: numberContext('natGateways'),
  workerMaxConcurrency: numberContext('workerMaxConcurrency'),
  redisNodeType: app.node.tryGetContext('redisNodeType'),
  // `-c localInvoke=true`: a template for `sam local invoke` only, never for a deployment.
  localInvoke: String(app.node.tryGetContext('localInvoke')) === 'true',
  reconcileIntervalSeconds: numberContext('reconcileIntervalSeconds'),
});
// Synthesis fails on any AwsSolutions finding that is not acknowledged next to its cause.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const template = app.synth().getStackByName(STACK_NAME).templateFullPath;
// `cdk synth --quiet` prints nothing of its own; say where the template went (SAM reads it there).
process.stderr.write(`${STACK_NAME} template: ${relative(process.cwd(), template)}\n`);
