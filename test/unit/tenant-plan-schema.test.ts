import { readFileSync } from 'node:fs';
import { describeProblems, parsePlan } from '../../shared/plans/parse-plan.js';
import { planJsonSchema } from '../../shared/plans/plan-json-schema.js';
import { tenantPlan } from '../support/tenant-plan.js';

/** The problems `parsePlan` reports for tenant acme's document, as operators read them. */
const problemsOf = (doc: unknown, tenant = 'acme') => {
  const result = parsePlan(typeof doc === 'string' ? doc : JSON.stringify(doc), tenant);
  return result.ok ? [] : describeProblems(result.problems);
};
const withOnAdmit = (onAdmit: Record<string, unknown>) => tenantPlan('acme', { onAdmit });
const transferTo = (to: unknown) => withOnAdmit({ type: 'transfer', to });

describe('tenant plan validation', () => {
  it.each([
    ['answer', { type: 'answer' }],
    [
      'transfer',
      {
        type: 'transfer',
        to: '+13125550100',
        timeoutSecs: 30,
        callerId: 'did',
        onFailure: { say: 'Sorry.' },
      },
    ],
    [
      'transfer to SIP',
      { type: 'transfer', to: 'sip:desk@pbx.example.com', callerId: '+13125550111' },
    ],
    ['stream', { type: 'stream', url: 'wss://media.example.com/in?call=1', track: 'both_tracks' }],
    [
      'ai_assistant',
      {
        type: 'ai_assistant',
        assistantId: 'assistant-1',
        dynamicVariables: { tier: 'gold', n: 2, vip: true },
      },
    ],
    ['hangup', { type: 'hangup', say: 'Closed for maintenance.' }],
  ])('accepts a %s plan', (_label, onAdmit) => {
    expect(problemsOf(withOnAdmit(onAdmit))).toEqual([]);
  });

  it('accepts every optional section together', () => {
    const doc = tenantPlan('acme', {
      greeting: { audioUrl: 'https://media.example.com/hello.mp3' },
      hours: {
        timezone: 'America/Chicago',
        weekly: {
          mon: [
            ['09:00', '12:00'],
            ['13:00', '17:30'],
          ],
          sat: [['10:00', '24:00']],
        },
        closed: { say: 'We are closed.' },
      },
      deny: {
        mode: 'reject',
        voice: 'Polly.Joanna',
        language: 'en-US',
        messages: { at_capacity: 'Busy.', unavailable: 'Down.' },
      },
      locale: { voice: 'female', language: 'es-MX' },
    });
    expect(problemsOf(doc)).toEqual([]);
  });

  it.each([
    [
      'a typo',
      { ...withOnAdmit({ type: 'transfer', to: '+13125550100', timeout_sec: 30 }) },
      'onAdmit: Unrecognized key: "timeout_sec"',
    ],
    [
      'a top-level extra',
      tenantPlan('acme', { greting: { text: 'hi' } }),
      '(document): Unrecognized key: "greting"',
    ],
    [
      'an extra in a section',
      tenantPlan('acme', { locale: { voice: 'female', speed: 2 } }),
      'locale: Unrecognized key: "speed"',
    ],
  ])('rejects unknown keys: %s', (_label, doc, problem) => {
    expect(problemsOf(doc)).toEqual([problem]);
  });

  it.each([
    ['12345', 'too few digits'],
    ['+123456', 'six digits'],
    ['+1234567890123456', 'sixteen digits'],
    ['13125550100', 'no plus'],
    [' +13125550100', 'leading space'],
    ['sip:a@b.example.com,sip:c@d.example.com', 'a comma in a SIP URI'],
    ['sip:desk', 'a SIP URI without host'],
    ['tel:+13125550100', 'another scheme'],
  ])('rejects the transfer target %p (%s)', (to) => {
    expect(problemsOf(transferTo(to))).toEqual(['onAdmit.to: must be E.164 or a sip: URI']);
  });

  it.each([
    ['https://media.example.com/a.mp3 ', 'must be a https:// URL without whitespace'],
    [' https://media.example.com/a.mp3', 'must be a https:// URL without whitespace'],
    ['http://media.example.com/a.mp3', 'must be a https:// URL without whitespace'],
    ['https://user:pw@media.example.com/a.mp3', 'must not contain credentials'],
    ['https://10.0.0.8/a.mp3', 'must name a host, not an IP address'],
    ['https://[::1]/a.mp3', 'must name a host, not an IP address'],
    ['https://localhost/a.mp3', 'must not point at localhost'],
    ['https://media/a.mp3', 'must name a public host'],
  ])('rejects the greeting audio URL %p', (audioUrl, rule) => {
    expect(problemsOf(tenantPlan('acme', { greeting: { audioUrl } }))).toContain(
      `greeting.audioUrl: ${rule}`,
    );
  });

  it('rejects a stream URL that is not wss', () => {
    expect(
      problemsOf(withOnAdmit({ type: 'stream', url: 'https://media.example.com/in' })),
    ).toEqual(['onAdmit.url: must be a wss:// URL without whitespace']);
  });

  it.each([
    ['', 'must be 1 to 3000 characters'],
    ['x'.repeat(3001), 'must be 1 to 3000 characters'],
    ['   ', 'must not be only whitespace'],
  ])('rejects speech of %#', (say, rule) => {
    expect(problemsOf(withOnAdmit({ type: 'hangup', say }))).toContain(`onAdmit.say: ${rule}`);
  });

  it('accepts speech of exactly 3000 characters', () => {
    expect(problemsOf(withOnAdmit({ type: 'hangup', say: 'x'.repeat(3000) }))).toEqual([]);
  });

  it.each([
    [
      { timezone: 'Mars/Olympus', weekly: {}, closed: { say: 'x' } },
      'hours.timezone: must be an IANA time zone such as America/Chicago',
    ],
    [
      { timezone: '+01:00', weekly: {}, closed: { say: 'x' } },
      'hours.timezone: must be an IANA time zone such as America/Chicago',
    ],
    [
      { timezone: 'UTC', weekly: { mon: [['9:00', '17:00']] }, closed: { say: 'x' } },
      'hours.weekly.mon.0.0: must be HH:MM (00:00 to 24:00)',
    ],
    [
      { timezone: 'UTC', weekly: { mon: [['22:00', '02:00']] }, closed: { say: 'x' } },
      'hours.weekly.mon.0: must start before it ends (split a range that crosses midnight)',
    ],
    [
      { timezone: 'UTC', weekly: { monday: [] }, closed: { say: 'x' } },
      'hours.weekly: Unrecognized key: "monday"',
    ],
    [
      { timezone: 'UTC', weekly: {} },
      'hours.closed: Invalid input: expected object, received undefined',
    ],
  ])('rejects hours %#', (hours, problem) => {
    expect(problemsOf(tenantPlan('acme', { hours }))).toEqual([problem]);
  });

  it.each([
    [{ timeoutSecs: 4 }, 'onAdmit.timeoutSecs: must be 5 to 120 seconds'],
    [{ timeoutSecs: 30.5 }, 'onAdmit.timeoutSecs: Invalid input: expected int, received number'],
    [{ callerId: 'anonymous' }, 'onAdmit.callerId: must be "did", "caller" or an E.164 number'],
  ])('rejects transfer options %#', (options, problem) => {
    expect(problemsOf(withOnAdmit({ type: 'transfer', to: '+13125550100', ...options }))).toEqual([
      problem,
    ]);
  });

  it.each([
    [{ mode: 'silent' }, 'deny.mode'],
    [{ voice: 'a voice' }, 'deny.voice: must be a voice name such as female'],
    [{ language: 'English' }, 'deny.language: must be a language tag such as en-US'],
    [{ messages: { not_configured: 'x' } }, 'deny.messages: Unrecognized key: "not_configured"'],
  ])('rejects deny settings %#', (deny, problem) => {
    expect(problemsOf(tenantPlan('acme', { deny })).join('\n')).toContain(problem);
  });

  it.each([
    [{ assistantId: '' }, 'onAdmit.assistantId: must be a Telnyx assistant id'],
    [
      { assistantId: 'a', dynamicVariables: { 'bad-name': 1 } },
      'onAdmit.dynamicVariables.bad-name',
    ],
    [
      { assistantId: 'a', dynamicVariables: { nested: { a: 1 } } },
      'onAdmit.dynamicVariables.nested: must be a string',
    ],
  ])('rejects AI assistant settings %#', (settings, problem) => {
    expect(problemsOf(withOnAdmit({ type: 'ai_assistant', ...settings })).join('\n')).toContain(
      problem,
    );
  });

  it.each([
    [
      { assistantId: 'a', dynamicVariables: { api_key: 'x' } },
      'onAdmit.dynamicVariables.api_key: must not hold a secret',
    ],
    [
      {
        assistantId: 'a',
        dynamicVariables: { note: 'KEY0123456789ABCDEF0123456789ABCDEF_abcdefghijklmnopqr' },
      },
      'onAdmit.dynamicVariables.note: must not contain a Telnyx API key',
    ],
    [
      { assistantId: 'a', dynamicVariables: { aws: 'AKIAABCDEFGHIJKLMNOP' } },
      'onAdmit.dynamicVariables.aws: must not contain an AWS access key',
    ],
  ])('rejects secrets anywhere in the document %#', (settings, problem) => {
    expect(problemsOf(withOnAdmit({ type: 'ai_assistant', ...settings }))).toEqual([problem]);
  });

  it('rejects a credential in a URL query string without echoing it', () => {
    const problems = problemsOf(
      withOnAdmit({ type: 'stream', url: 'wss://media.example.com/in?token=s3cr3t' }),
    );
    expect(problems).toEqual(['onAdmit.url: must not carry credentials in its query string']);
    expect(problems.join()).not.toContain('s3cr3t');
  });

  it.each([
    [
      'a document over 16 KiB',
      JSON.stringify(tenantPlan('acme', { pad: 'x'.repeat(16 * 1024) })),
      /^\(document\): must be at most 16384 bytes \(is \d+\)$/,
    ],
    ['text that is not JSON', '{"schemaVersion": 1,', /^\(document\): must be valid JSON$/],
    [
      'an unknown schema version',
      JSON.stringify(tenantPlan('acme', { schemaVersion: 2 })),
      /^schemaVersion: must be 1/,
    ],
    [
      'another tenant',
      JSON.stringify(tenantPlan('globex')),
      /^tenantId: must equal the key's tenant \(acme\)$/,
    ],
    [
      'a zero revision',
      JSON.stringify(tenantPlan('acme', { revision: 0 })),
      /^revision: must be a positive integer$/,
    ],
    [
      'no onAdmit',
      JSON.stringify({ schemaVersion: 1, tenantId: 'acme', revision: 1 }),
      /^onAdmit: /,
    ],
    [
      'an unknown onAdmit type',
      JSON.stringify(withOnAdmit({ type: 'voicemail' })),
      /^onAdmit.type: must be one of answer, transfer/,
    ],
  ])('rejects %s', (_label, raw, problem) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('reports the revision a broken document claims (for the warning line)', () => {
    const result = parsePlan(
      JSON.stringify(tenantPlan('acme', { revision: 7, locale: 1 })),
      'acme',
    );
    expect(result).toMatchObject({ ok: false, revision: 7 });
  });
});

describe('the committed JSON Schema', () => {
  it('is the one generated from the zod schema (run npm run plan-schema after a change)', () => {
    const committed = JSON.parse(readFileSync('docs/tenant-plan.schema.json', 'utf8'));
    expect(committed).toEqual(planJsonSchema());
  });
});
