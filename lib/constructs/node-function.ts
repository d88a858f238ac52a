import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** What differs between the project's functions; the rest is fixed by {@link createNodeFunction}. */
export interface NodeFunctionOptions
  extends Omit<lambda.FunctionProps, 'runtime' | 'architecture' | 'handler' | 'logGroup'> {
  readonly code: lambda.Code;
  readonly timeout: Duration;
}

/**
 * Creates `LogGroup` and `Function` in `scope`: one of `lib/bundling.ts`'s bundles
 * (`index.mjs` exporting `handler`) on Node.js 22 and arm64 (cheaper per GB-second), with
 * X-Ray tracing, source-mapped stack traces and a log group whose retention is set.
 */
export function createNodeFunction(
  scope: Construct,
  options: NodeFunctionOptions,
): lambda.Function {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: logs.RetentionDays.ONE_MONTH,
    // Logs outlive the stack: they are what explains an incident after a teardown.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const fn = new lambda.Function(scope, 'Function', {
    memorySize: 512,
    ...options,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    // No NODE_OPTIONS=--enable-source-maps: the bundles keep their names (lib/bundling.ts).
    environment: { ...options.environment },
  });
  acknowledgeFunctionFindings(fn);
  return fn;
}

/** The cdk-nag findings every project function carries by design, each with its reason. */
function acknowledgeFunctionFindings(fn: lambda.Function): void {
  Validations.of(fn.node.defaultChild as Construct).acknowledge({
    id: 'AwsSolutions::AwsSolutions-L1',
    reason:
      'Pinned to nodejs22.x on purpose: the bundles are built (esbuild target node22) and tested ' +
      'on Node 22; moving to a newer runtime is a deliberate, tested upgrade, not a drift.',
  });
  const role = fn.role as Construct;
  if (fn.isBoundToVpc) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'AWS-managed policy Lambda needs to attach a function to the VPC (ENI create/describe/' +
        'delete); these EC2 actions take no resource-level scoping, so a custom copy is no tighter.',
    });
  }
  Validations.of(role).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'AWS-managed Lambda logging policy: only logs:CreateLogGroup/CreateLogStream/PutLogEvents, ' +
      'maintained by AWS; a hand-written copy would grant the same.',
  });
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use ' +
      'Resource *: X-Ray supports no resource-level permissions. The infra tests assert that ' +
      'no other action has a wildcard resource.',
  });
}
