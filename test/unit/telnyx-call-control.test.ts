import { isCallEnded } from '../../shared/telnyx/telnyx-call-control.js';

describe('isCallEnded', () => {
  it('recognises a 422 whose errors list code 90018', () => {
    expect(isCallEnded({ status: 422, error: { errors: [{ code: '90018' }] } })).toBe(true);
    expect(isCallEnded({ status: 422, error: { errors: [{ code: 90018 }] } })).toBe(true);
  });

  it.each([
    [
      'another 422 code (call not answered)',
      { status: 422, error: { errors: [{ code: '90034' }] } },
    ],
    ['a 500', { status: 500, error: { errors: [{ code: '90018' }] } }],
    ['a 422 without a body', { status: 422 }],
    ['a plain error', new Error('socket hang up')],
    ['null', null],
  ])('does not treat %s as a call that ended', (_label, error) => {
    expect(isCallEnded(error)).toBe(false);
  });
});
