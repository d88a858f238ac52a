import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildFunction, PROJECT_ROOT } from './bundling.js';

/** The deployment package of each function; tests inject inline code instead of bundles. */
export interface FunctionCode {
  readonly ingest: lambda.Code;
  readonly worker: lambda.Code;
  readonly admin: lambda.Code;
  readonly reconciler: lambda.Code;
}

/** Where the CDK app writes its bundles: a fixed path, so asset hashes stay stable. */
export const CDK_BUNDLE_ROOT = join(PROJECT_ROOT, 'cdk.out', '.bundles');

/**
 * Bundles every function with the project's one bundling definition and wraps each output
 * directory as a Lambda asset, so the deployed code is exactly what `npm run build` tests.
 */
export function bundledFunctionCode(outRoot: string = CDK_BUNDLE_ROOT): FunctionCode {
  return {
    ingest: lambda.Code.fromAsset(buildFunction('ingest', outRoot).outDir),
    worker: lambda.Code.fromAsset(buildFunction('worker', outRoot).outDir),
    admin: lambda.Code.fromAsset(buildFunction('admin', outRoot).outDir),
    reconciler: lambda.Code.fromAsset(buildFunction('reconciler', outRoot).outDir),
  };
}
