import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { execute } from 'lambda-local';
import { buildFunction, type FunctionName, PROJECT_ROOT } from '../lib/bundling.js';

/**
 * Each function as the synthesized stack defines it: the logical id `sam local invoke` and the
 * env-vars file use, and the timeout and memory Lambda gives it (test/infra/sam-invoke.test.ts
 * checks all three against the template).
 */
export const FUNCTIONS = {
  ingest: { logicalId: 'IngestFunctionB02ED0EB', timeoutSeconds: 10, memoryMb: 512 },
  worker: { logicalId: 'WorkerFunctionAF8A26AF', timeoutSeconds: 60, memoryMb: 512 },
  admin: { logicalId: 'AdminFunction6887E710', timeoutSeconds: 30, memoryMb: 256 },
  reconciler: { logicalId: 'ReconcilerFunction0432B6FF', timeoutSeconds: 60, memoryMb: 512 },
} as const satisfies Record<
  FunctionName,
  { logicalId: string; timeoutSeconds: number; memoryMb: number }
>;

/** SAM's env-vars file: a `Parameters` section for every function, then one per function. */
export type EnvVarsFile = Record<string, Record<string, string>>;

/**
 * The variables one function gets from an env-vars file, in SAM's order of precedence: the
 * logical id's section over the function name's, both over `Parameters`.
 */
export function envFor(name: FunctionName, file: EnvVarsFile): Record<string, string> {
  return { ...file.Parameters, ...file[name], ...file[FUNCTIONS[name].logicalId] };
}

/** The built bundle of one function; built first when missing or when `rebuild` is set. */
function bundlePath(name: FunctionName, rebuild = false): string {
  const path = join(PROJECT_ROOT, 'dist', 'functions', name, 'index.mjs');
  if (rebuild || !existsSync(path)) buildFunction(name);
  return path;
}

/** How one invocation ended: the handler's result, or the error as Lambda reports it. */
export type InvokeOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * Why an invocation counts as failed, or `undefined` when it did its job: the handler threw,
 * ingest answered 5xx (the webhook was not queued, Telnyx would retry), or the worker
 * reported batch item failures (those records would be retried).
 */
export function invocationFailure(name: FunctionName, outcome: InvokeOutcome): string | undefined {
  if (!outcome.ok) {
    const error = outcome.error as { errorType?: string; errorMessage?: string };
    return `the ${name} function threw ${error.errorType ?? 'an error'}: ${error.errorMessage ?? String(error)}`;
  }
  const result = outcome.result as Partial<APIGatewayProxyStructuredResultV2 & SQSBatchResponse>;
  if (name === 'ingest' && (result?.statusCode ?? 500) >= 500) {
    return `ingest answered ${result?.statusCode}: the webhook was not queued`;
  }
  const failed = result?.batchItemFailures?.map((failure) => failure.itemIdentifier) ?? [];
  if (name === 'worker' && failed.length > 0) {
    return `the worker failed ${failed.length} record(s), which SQS would retry: ${failed.join(', ')} (the worker's error lines above say why)`;
  }
  return undefined;
}

/**
 * Runs a built bundle once with lambda-local, as the Lambda runtime would: environment set
 * before the module loads (the handlers read it at init), a full context and the timeout.
 */
export async function invokeFunction(
  name: FunctionName,
  event: unknown,
  env: Record<string, string>,
  options: { readonly rebuild?: boolean } = {},
): Promise<InvokeOutcome> {
  const spec = FUNCTIONS[name];
  // lambda-local only fills these when unset, with its own guesses (the handler name, free RAM).
  process.env.AWS_LAMBDA_FUNCTION_NAME = spec.logicalId;
  process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = String(spec.memoryMb);
  try {
    const result = await execute({
      lambdaPath: bundlePath(name, options.rebuild),
      // The bundles are ES modules (index.mjs); lambda-local then loads them with import().
      esm: true,
      event,
      environment: env,
      timeoutMs: spec.timeoutSeconds * 1000,
      // -1: print nothing of its own and leave the handler's output alone.
      verboseLevel: -1,
      contextOverwrite: (context: Record<string, unknown>) => {
        context.functionName = spec.logicalId;
        context.memoryLimitInMB = String(spec.memoryMb);
        context.invokedFunctionArn = `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:123456789012:function:${spec.logicalId}`;
      },
    });
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}
