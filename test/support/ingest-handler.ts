import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { interceptOutput, type LogLine } from '../../local/capture-output.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { setEnv } from '../../local/set-env.js';
import { type LocalSqs, startLocalSqs } from '../../local/sqs-server.js';

/** The ingest handler of one test file, its queue and what it wrote since the test began. */
export interface IngestUnderTest {
  sqs: LocalSqs;
  queueUrl: string;
  invoke(event: APIGatewayProxyEventV2): Promise<{ statusCode: number; body: string }>;
  /** Every chunk written to stdout and stderr, kept out of the test report. */
  readonly written: string[];
  /** The JSON log lines among them, parsed. */
  logs(): LogLine[];
}

/**
 * The real ingest handler, its real SQS client and a local SQS server with the FIFO queue
 * `queueName`, for the test file's hooks. `env` is set before the import because the handler
 * reads its configuration once, at module load; the queue is emptied before each test.
 */
export function ingestUnderTest(
  queueName: string,
  env: Record<string, string | undefined>,
): IngestUnderTest {
  const written: string[] = [];
  const ingest = {
    written,
    logs: () =>
      written
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
  } as IngestUnderTest;
  let restoreEnv: Array<() => void> = [];
  let restoreOutput: () => void;
  beforeAll(async () => {
    ingest.sqs = await startLocalSqs();
    ingest.queueUrl = await ingest.sqs.createFifoQueue(queueName);
    restoreEnv = [ingest.sqs.applyEnv(), setEnv({ QUEUE_URL: ingest.queueUrl, ...env })];
    const { handler } = await import('../../functions/ingest/handler.js');
    ingest.invoke = (event) => handler(event, lambdaContext('ingest'));
  });
  afterAll(async () => {
    for (const restore of restoreEnv.reverse()) restore();
    await ingest.sqs.stop();
  });
  beforeEach(async () => {
    await ingest.sqs.drainQueue(ingest.queueUrl);
    written.length = 0;
    restoreOutput = interceptOutput((chunk) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => restoreOutput());
  return ingest;
}
