import { telnyxEvent } from '../../local/webhook-events.js';
import { parseTelnyxEvent, TELNYX_EVENT_TYPES } from '../../shared/telnyx/webhook-event.js';

describe('parseTelnyxEvent', () => {
  it.each(Object.values(TELNYX_EVENT_TYPES))('reads a realistic %s webhook', (eventType) => {
    const body = telnyxEvent(eventType, { call_control_id: 'v3:abc' }, { id: 'evt-1' });
    const result = parseTelnyxEvent(JSON.stringify(body));
    expect(result).toMatchObject({
      ok: true,
      event: {
        data: { event_type: eventType, id: 'evt-1', payload: { call_control_id: 'v3:abc' } },
      },
    });
  });

  it('keeps the payload fields the worker reads, and the ones it does not know', () => {
    const body = telnyxEvent('call.initiated', {
      to: '+13125550199',
      from: '+13125550100',
      client_state: null,
      custom_field: { nested: true },
    });
    const result = parseTelnyxEvent(JSON.stringify(body));
    if (!result.ok) throw new Error(result.error);
    expect(result.event.data.payload).toMatchObject({
      to: '+13125550199',
      from: '+13125550100',
      direction: 'incoming',
      client_state: null,
      custom_field: { nested: true },
    });
    expect(result.event.meta?.attempt).toBe(1);
  });

  it('reads the status of call.speak.ended and the cause of call.hangup', () => {
    const ended = parseTelnyxEvent(
      JSON.stringify(telnyxEvent('call.speak.ended', { status: 'call_hangup' })),
    );
    const hangup = parseTelnyxEvent(JSON.stringify(telnyxEvent('call.hangup')));
    expect(ended.ok && ended.event.data.payload.status).toBe('call_hangup');
    expect(hangup.ok && hangup.event.data.payload.hangup_cause).toBe('normal_clearing');
  });

  it('does not reject an event whose optional field has an unexpected type', () => {
    const body = telnyxEvent('call.initiated');
    Object.assign(body.data.payload, { to: 13125550199, client_state: { not: 'base64' } });
    const result = parseTelnyxEvent(JSON.stringify(body));
    if (!result.ok) throw new Error(result.error);
    expect(result.event.data.payload.to).toBeUndefined();
    expect(result.event.data.payload.client_state).toBeUndefined();
  });

  it('says when the body is not JSON', () => {
    expect(parseTelnyxEvent('{"data":')).toEqual({ ok: false, error: 'body is not valid JSON' });
  });

  it.each([
    ['an empty object', {}, 'data'],
    ['a JSON array', [], 'expected object'],
    [
      'no event id',
      { data: { event_type: 'call.hangup', payload: { call_control_id: 'x' } } },
      'data.id',
    ],
    [
      'an empty call_control_id',
      telnyxEvent('call.hangup', { call_control_id: '' }),
      'data.payload.call_control_id',
    ],
    ['no payload', { data: { event_type: 'call.hangup', id: 'e' } }, 'data.payload'],
  ])('names what is missing when given %s', (_label, value, fragment) => {
    const result = parseTelnyxEvent(JSON.stringify(value));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^not a Telnyx event: /);
    expect(!result.ok && result.error).toContain(fragment);
  });
});
