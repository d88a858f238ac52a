import {
  type CallState,
  decodeCallState,
  encodeCallState,
} from '../../shared/calls/client-state.js';
import { DENIAL_REASONS, DENIALS } from '../../shared/calls/denials.js';

const b64 = (value: string) => Buffer.from(value).toString('base64');

describe('call state in client_state', () => {
  it('round-trips an accepted call with its tenant', () => {
    const encoded = encodeCallState({ action: 'accept', tenantId: 'acme' });
    expect(decodeCallState(encoded)).toEqual({ action: 'accept', tenantId: 'acme' });
  });

  it("round-trips each denial's caller message", () => {
    for (const denial of DENIAL_REASONS) {
      const message = DENIALS[denial].callerMessage;
      expect(decodeCallState(encodeCallState({ action: 'deny', message }))).toEqual({
        action: 'deny',
        message,
      });
    }
  });

  // Calls in flight during a deploy carry state written by the previous release.
  it.each([
    [
      'an accept',
      'eyJhcHAiOiJ0Y2ExIiwiYWN0aW9uIjoiYWNjZXB0IiwidGVuYW50IjoiYWNtZSJ9',
      { action: 'accept', tenantId: 'acme' },
    ],
    [
      'an at-capacity denial',
      'eyJhcHAiOiJ0Y2ExIiwiYWN0aW9uIjoiZGVueSIsImRlbmlhbCI6ImF0X2NhcGFjaXR5In0=',
      { action: 'deny', message: 'at_capacity' },
    ],
    [
      'a not-configured denial',
      'eyJhcHAiOiJ0Y2ExIiwiYWN0aW9uIjoiZGVueSIsImRlbmlhbCI6Im5vdF9jb25maWd1cmVkIn0=',
      { action: 'deny', message: 'not_configured' },
    ],
    [
      'an unavailable denial',
      'eyJhcHAiOiJ0Y2ExIiwiYWN0aW9uIjoiZGVueSIsImRlbmlhbCI6InVuYXZhaWxhYmxlIn0=',
      { action: 'deny', message: 'unavailable' },
    ],
  ])(
    'reads %s encoded by the previous release, and encodes it the same way',
    (_label, wire, state) => {
      expect(decodeCallState(wire)).toEqual(state);
      expect(encodeCallState(state as CallState)).toBe(wire);
    },
  );

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
