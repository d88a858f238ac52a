import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WEBHOOK_PATH } from '../../shared/webhook/webhook-path.js';

/** Options for {@link WebhookApi}. */
export interface WebhookApiProps {
  readonly handler: lambda.IFunction;
  /** Steady-state requests per second on the stage (default 500). */
  readonly rateLimit?: number;
  /** Burst above the rate (default 1000). */
  readonly burstLimit?: number;
}

/**
 * The public HTTP API: `POST /webhooks/telnyx` to the ingest function (payload format 2.0)
 * on a throttled `$default` stage with JSON access logs. Requests are authenticated by the
 * Telnyx signature inside the function, not by API Gateway.
 */
export class WebhookApi extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  /** The full URL to configure as the Telnyx application's webhook URL. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Telnyx call admission webhooks',
      // The default stage is created below, because only an explicit stage takes
      // throttling and access log settings.
      createDefaultStage: false,
    });
    const [route] = this.httpApi.addRoutes({
      path: WEBHOOK_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Ingest', props.handler, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    Validations.of(route as Construct).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'Telnyx cannot sign requests with IAM, Cognito or a JWT. Every request is authenticated ' +
        'by its Ed25519 Telnyx signature in the ingest function, which answers 401 and queues ' +
        'nothing when it is missing, wrong or stale.',
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // Caps what a flood of forged requests can cost before signature checks reject them.
      throttle: { rateLimit: props.rateLimit ?? 500, burstLimit: props.burstLimit ?? 1000 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.webhookUrl = `${this.httpApi.apiEndpoint}${WEBHOOK_PATH}`;
  }
}
