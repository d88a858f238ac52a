import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { SERVER_ERROR } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { callHelpers } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// The real worker with its Telnyx API key in (mocked) Secrets Manager, so a test can rotate it.
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:telnyx-api-key-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
let currentKey = 'KEY_first_not_a_secret';
let p: Pipeline;
let h: ReturnType<typeof callHelpers>;

beforeAll(async () => {
  secrets.on(GetSecretValueCommand).callsFake(() => ({ SecretString: currentKey }));
  p = await startPipeline({
    TELNYX_API_KEY: '',
    TELNYX_API_KEY_SECRET_ARN: ARN,
    // Long, so only a 401 can explain a second read in these tests.
    TELNYX_API_KEY_MAX_AGE_SECONDS: '3600',
    AWS_REGION: 'us-east-1',
  });
  h = callHelpers(p);
});
afterAll(async () => {
  await p.stop();
  secrets.restore();
});
beforeEach(async () => {
  await p.redis.flushdb();
  p.logs.length = 0;
  p.telnyx.acceptOnlyApiKey(currentKey);
});

/** Runs the worker on one `call.initiated` for a mapped number, received `receiveCount` times. */
async function initiatedCall(receiveCount = 1) {
  const id = callControlId();
  const to = await h.mapNumber('acme');
  const event = telnyxEvent('call.initiated', { call_control_id: id, to, from: '+13125550100' });
  const record = sqsRecord(event, { receiveCount });
  const response = await p.worker(sqsEvent(record), lambdaContext('worker'));
  return { id, to, event, record, response };
}
const errorLines = () => p.logs.filter((line) => line.level === 'ERROR');

describe('a record the worker fails', () => {
  it('logs exactly one error line naming the call, the event, the try and the Telnyx status and code', async () => {
    p.telnyx.failNext('answer', SERVER_ERROR, 3);

    const { id, to, event, record, response } = await initiatedCall(3);

    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(errorLines()).toEqual([
      expect.objectContaining({
        message: 'call step failed',
        callControlId: id,
        eventType: 'call.initiated',
        eventId: event.data.id,
        receiveCount: 3,
        step: 'admit',
        command: 'answer',
        httpStatus: 500,
        telnyxErrorCode: '10007',
      }),
    ]);
    const output = JSON.stringify(p.logs);
    for (const secret of [to, '+13125550100', currentKey]) expect(output).not.toContain(secret);
  });

  it('counts it as CallStepFailed with its step as a dimension', async () => {
    p.telnyx.failNext('answer', SERVER_ERROR, 3);

    await initiatedCall();

    const metric = p.logs.find((line) => line.CallStepFailed !== undefined) ?? {};
    expect(metric).toMatchObject({ CallStepFailed: 1, Step: 'admit', service: 'worker' });
    const [directive] = (metric._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> })
      .CloudWatchMetrics;
    expect(directive?.Dimensions.flat()).toEqual(expect.arrayContaining(['Step']));
  });
});

describe('a rotated Telnyx API key', () => {
  it('is read again at once after a 401 and the command retried once, without a redeploy', async () => {
    const readsBefore = secrets.commandCalls(GetSecretValueCommand).length;
    currentKey = 'KEY_rotated_not_a_secret';
    p.telnyx.acceptOnlyApiKey(currentKey);

    const { id, response } = await initiatedCall();

    expect(response?.batchItemFailures).toEqual([]);
    expect(h.commandsOf(id).map((c) => c.status)).toEqual([401, 200]);
    expect(secrets.commandCalls(GetSecretValueCommand).length).toBe(readsBefore + 1);
    expect(errorLines()).toEqual([]);
  });

  it('fails the record with HTTP 401 and code 10009 when the key read again is refused too', async () => {
    p.telnyx.acceptOnlyApiKey('KEY_nobody_has');

    const { id, record, response } = await initiatedCall();

    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(h.commandsOf(id).map((c) => c.status)).toEqual([401, 401]);
    expect(errorLines()).toEqual([
      expect.objectContaining({
        message: 'call step failed',
        httpStatus: 401,
        telnyxErrorCode: '10009',
      }),
    ]);
    expect(JSON.stringify(p.logs)).not.toContain(currentKey);
  });
});
