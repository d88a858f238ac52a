import { decodeCallState, encodeCallState } from '../../shared/calls/client-state.js';

const b64 = (value: string) => Buffer.from(value).toString('base64');

describe('call state in client_state', () => {
  it('round-trips an accepted call with its tenant', () => {
    const encoded = encodeCallState({ action: 'accept', tenantId: 'acme' });
    expect(decodeCallState(encoded)).toEqual({ action: 'accept', tenantId: 'acme' });
  });

  it('round-trips each denial', () => {
    for (const denial of ['not_configured', 'at_capacity', 'unavailable'] as const) {
      expect(decodeCallState(encodeCallState({ action: 'deny', denial }))).toEqual({
        action: 'deny',
        denial,
      });
    }
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['not base64 JSON', 'not-base64!!'],
    ["another application's state", b64('{"app":"other","action":"deny","denial":"at_capacity"}')],
    ['an unknown denial', b64('{"app":"tca1","action":"deny","denial":"free_speech"}')],
    ['an accept without tenant', b64('{"app":"tca1","action":"accept"}')],
    ['a JSON array', b64('[1,2]')],
    ['a prototype key as denial', b64('{"app":"tca1","action":"deny","denial":"toString"}')],
  ])('reads %s as not ours', (_label, value) => {
    expect(decodeCallState(value)).toBeNull();
  });
});
