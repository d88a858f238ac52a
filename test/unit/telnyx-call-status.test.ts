import type { CallStatus } from '../../shared/telnyx/call-status.js';
import { createTelnyxCallStatus } from '../../shared/telnyx/telnyx-call-status.js';

/** A client whose `retrieveStatus` resolves with `reply` or rejects with `error`. */
function statusOf(outcome: { reply: unknown } | { error: unknown }): Promise<CallStatus> {
  const client = {
    calls: {
      retrieveStatus: () =>
        'reply' in outcome ? Promise.resolve(outcome.reply) : Promise.reject(outcome.error),
    },
  } as unknown as Parameters<typeof createTelnyxCallStatus>[0];
  return createTelnyxCallStatus(client).status('v3:call');
}

describe('createTelnyxCallStatus', () => {
  it.each([
    ['is_alive: true', { reply: { data: { is_alive: true } } }, 'alive'],
    ['is_alive: false', { reply: { data: { is_alive: false } } }, 'ended'],
    [
      'a 404 with Telnyx errors',
      { error: { status: 404, error: { errors: [{ code: '10005' }] } } },
      'ended',
    ],
    ['a 422 90018', { error: { status: 422, error: { errors: [{ code: '90018' }] } } }, 'ended'],
    ['a bare 404 (no Telnyx body)', { error: { status: 404, error: 'Not Found' } }, 'unknown'],
    ['a 401', { error: { status: 401, error: { errors: [{ code: '10009' }] } } }, 'unknown'],
    ['a 503', { error: { status: 503, error: { errors: [] } } }, 'unknown'],
    ['a timeout', { error: new Error('Request timed out.') }, 'unknown'],
    ['a reply without is_alive', { reply: {} }, 'unknown'],
  ])('reads %s as %s', async (_label, outcome, state) => {
    expect((await statusOf(outcome)).state).toBe(state);
  });
});
