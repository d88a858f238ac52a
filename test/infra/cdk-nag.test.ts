import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { callAdmissionApp } from './stack-fixture.js';

interface Violation {
  readonly ruleName: string;
  readonly violatingConstructs: { readonly constructPath: string }[];
  readonly acknowledgedId?: string;
  readonly reason?: string;
}
interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Violation[];
  readonly suppressedViolations?: Violation[];
}

/** Synthesizes `app` under AwsSolutionsChecks and returns the plugin's validation report. */
function synthWithNag(app: App): PluginReport {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  );
  const plugin = (report.pluginReports as PluginReport[]).find(
    (r) => r.pluginName === 'AwsSolutions',
  );
  if (!plugin) throw new Error('the AwsSolutions plugin did not report');
  return plugin;
}

/** Each acknowledged finding as `rule @ construct path`, to review any change to the list. */
const acknowledged = (report: PluginReport) =>
  (report.suppressedViolations ?? [])
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} @ ${c.constructPath}`))
    .sort();

describe('cdk-nag AwsSolutions', () => {
  let report: PluginReport;

  beforeAll(() => {
    report = synthWithNag(callAdmissionApp().app);
  });

  it('leaves no finding unacknowledged', () => {
    expect(report.violations).toEqual([]);
    expect(report.conclusion).toBe('success');
  });

  it('acknowledges exactly the reviewed findings, each on the construct concerned', () => {
    const basic =
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
    const vpc =
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]';
    expect(acknowledged(report)).toEqual(
      [
        'AwsSolutions-APIG4 @ TelnyxCallAdmission/WebhookApi/HttpApi/POST--webhooks--telnyx/Resource',
        `${basic} @ TelnyxCallAdmission/Ingest/Function/ServiceRole/Resource`,
        `${basic} @ TelnyxCallAdmission/Worker/Function/ServiceRole/Resource`,
        `${vpc} @ TelnyxCallAdmission/Worker/Function/ServiceRole/Resource`,
        `${basic} @ TelnyxCallAdmission/Admin/Function/ServiceRole/Resource`,
        `${vpc} @ TelnyxCallAdmission/Admin/Function/ServiceRole/Resource`,
        'AwsSolutions-IAM5[Resource::*] @ TelnyxCallAdmission/Admin/Function/ServiceRole/DefaultPolicy/Resource',
        'AwsSolutions-L1 @ TelnyxCallAdmission/Admin/Function/Resource',
        `${basic} @ TelnyxCallAdmission/Reconciler/Function/ServiceRole/Resource`,
        `${vpc} @ TelnyxCallAdmission/Reconciler/Function/ServiceRole/Resource`,
        'AwsSolutions-IAM5[Resource::*] @ TelnyxCallAdmission/Reconciler/Function/ServiceRole/DefaultPolicy/Resource',
        'AwsSolutions-L1 @ TelnyxCallAdmission/Reconciler/Function/Resource',
        'AwsSolutions-IAM5[Resource::*] @ TelnyxCallAdmission/Ingest/Function/ServiceRole/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::*] @ TelnyxCallAdmission/Worker/Function/ServiceRole/DefaultPolicy/Resource',
        'AwsSolutions-L1 @ TelnyxCallAdmission/Ingest/Function/Resource',
        'AwsSolutions-L1 @ TelnyxCallAdmission/Worker/Function/Resource',
        'AwsSolutions-SMG4 @ TelnyxCallAdmission/Redis/AuthToken/Resource',
        'AwsSolutions-SMG4 @ TelnyxCallAdmission/Worker/TelnyxApiKey/Resource',
      ].sort(),
    );
  });

  it('gives every acknowledgement a reason a reviewer can check', () => {
    for (const violation of report.suppressedViolations ?? []) {
      expect(violation.reason?.length ?? 0).toBeGreaterThan(80);
    }
  });

  it('fails synthesis when a finding is introduced and not acknowledged', () => {
    // Same plugin, a queue without the SSL-only policy: proves the check above is live.
    const app = new App();
    new sqs.Queue(new Stack(app, 'Canary'), 'PlainQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    expect(() => synthWithNag(app)).toThrow(/AwsSolutions-SQS4/);
  });
});
