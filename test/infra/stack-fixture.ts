import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PROJECT_ROOT } from '../../lib/bundling.js';
import { CallAdmissionStack, STACK_NAME } from '../../lib/call-admission-stack.js';

/** Stand-in code, so the infra tests neither build nor depend on the real handlers. */
export const INLINE_CODE = {
  ingest: lambda.Code.fromInline('export const handler = async () => ({ statusCode: 200 });'),
  worker: lambda.Code.fromInline('export const handler = async () => ({ batchItemFailures: [] });'),
  admin: lambda.Code.fromInline('export const handler = async () => ({ ok: true, result: {} });'),
  reconciler: lambda.Code.fromInline('export const handler = async () => ({ locked: false });'),
};

/**
 * The context `cdk synth` gives the app from cdk.json (the feature flags among it), so the
 * tests check the template that is deployed rather than one built on other flag defaults.
 */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

/** A fresh app holding the production stack with inline code (not yet synthesized). */
export function callAdmissionApp(): { readonly app: App; readonly stack: CallAdmissionStack } {
  const app = new App({ context: cdkJsonContext() });
  const stack = new CallAdmissionStack(app, STACK_NAME, { code: INLINE_CODE });
  return { app, stack };
}

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The single resource of `type` whose properties include `POWERTOOLS_SERVICE_NAME = service`. */
export function findFunction(
  resources: Record<string, CfnResource>,
  service: 'ingest' | 'worker' | 'admin' | 'reconciler',
): [logicalId: string, resource: CfnResource] {
  const matches = Object.entries(resources).filter(
    ([, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      // The VPC default security group's custom resource handler has no environment.
      (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === service,
  );
  if (matches.length !== 1)
    throw new Error(`expected one ${service} function, got ${matches.length}`);
  return matches[0] as [string, CfnResource];
}
