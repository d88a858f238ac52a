import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ADMIN_FUNCTION_OUTPUT } from '../lib/stack-outputs.js';
import type { AdminResponse } from '../shared/tenants/run-admin-command.js';
import { type AdminTarget, AdminUnreachableError, unreachable } from './admin-targets.js';

/**
 * A deployed stack's admin function, invoked with the operator's AWS credentials (the SDK's
 * default chain and region). `requestedBy` is the caller's ARN from STS, for the audit line.
 */
export async function lambdaTarget(where: {
  readonly stack?: string | undefined;
  readonly functionName?: string | undefined;
}): Promise<AdminTarget> {
  const functionName = where.functionName ?? (await adminFunctionOf(where.stack ?? ''));
  const label = `admin function ${functionName}`;
  const sts = new STSClient({});
  const identity = await sts
    .send(new GetCallerIdentityCommand({}))
    .catch(unreachable('AWS STS GetCallerIdentity'));
  sts.destroy();
  const lambda = new LambdaClient({});
  const send = async (request: Record<string, unknown>): Promise<AdminResponse> => {
    const payload = JSON.stringify({ ...request, requestedBy: identity.Arn });
    const answer = await lambda
      .send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(payload) }))
      .catch(unreachable(label));
    const body = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
    if (answer.FunctionError) {
      const detail = (JSON.parse(body || '{}') as { errorMessage?: string }).errorMessage;
      throw new AdminUnreachableError(label, `${answer.FunctionError}: ${detail ?? body}`);
    }
    return JSON.parse(body) as AdminResponse;
  };
  return { label, send, close: () => lambda.destroy() };
}

/** Reads the admin function's name from the stack's outputs (CloudFormation DescribeStacks). */
async function adminFunctionOf(stackName: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  const label = `stack ${stackName}`;
  const { Stacks } = await cfn
    .send(new DescribeStacksCommand({ StackName: stackName }))
    .catch(unreachable(label))
    .finally(() => cfn.destroy());
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === ADMIN_FUNCTION_OUTPUT);
  if (output?.OutputValue) return output.OutputValue;
  throw new AdminUnreachableError(
    label,
    `has no ${ADMIN_FUNCTION_OUTPUT} output (deploy this version first)`,
  );
}
