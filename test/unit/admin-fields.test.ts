import * as z from 'zod/mini';
import {
  capField,
  describeIssues,
  parseNumber,
  phoneNumberField,
  tenantIdField,
} from '../../shared/tenants/admin-fields.js';

const issues = (schema: z.ZodMiniType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? undefined : describeIssues(result.error);
};

describe('number validation', () => {
  it('normalises as the contract does, then accepts E.164', () => {
    expect(parseNumber(' +1 312 555\t0199 ')).toEqual({ ok: true, value: '+13125550199' });
    expect(parseNumber('+4420794600')).toEqual({ ok: true, value: '+4420794600' });
  });

  it.each([
    '',
    '   ',
    '13125550199',
    '+1312',
    '+1234567890123456',
    '+1-312-555-0199',
    '+1312555019a',
  ])('refuses %j, naming the rule and the input', (input) => {
    expect(issues(phoneNumberField, input)).toBe(
      `must be E.164 after removing whitespace (a + and 8 to 15 digits), got ${JSON.stringify(input)}`,
    );
  });

  it('says a missing number is required and a non-string is not a string', () => {
    expect(issues(z.object({ number: phoneNumberField }), {})).toBe('number: is required');
    expect(issues(z.object({ number: phoneNumberField }), { number: 1 })).toBe(
      'number: must be a string',
    );
  });
});

describe('tenant id validation', () => {
  it.each(['', 'ac:me', 'ac me', ' acme', 'acme\n'])('refuses %j', (input) => {
    expect(issues(tenantIdField, input)).toBe(
      `must be a non-empty id without ':' or whitespace, got ${JSON.stringify(input)}`,
    );
  });

  it('accepts ids that are safe inside key names', () => {
    expect(tenantIdField.parse('acme-01_eu')).toBe('acme-01_eu');
  });
});

describe('cap validation', () => {
  it.each(['0', '-1', '1.5', 'ten', '', '1e3', '99999999999999999999', 0, 2.5, -3, true, null])(
    'refuses %j',
    (input) => {
      expect(issues(capField, input)).toBe(
        `must be a positive integer, got ${JSON.stringify(input)}`,
      );
    },
  );

  it('accepts a positive integer as a JSON number or as digits, in canonical form', () => {
    expect(capField.parse('007')).toBe(7);
    expect(capField.parse(60)).toBe(60);
  });
});

describe('issue descriptions', () => {
  it('names nested fields by their path and unknown fields by their name', () => {
    const schema = z.strictObject({ mappings: z.array(z.object({ number: phoneNumberField })) });

    expect(issues(schema, { mappings: [{ number: '+13125550199' }, { number: 'x' }] })).toBe(
      'mappings[1].number: must be E.164 after removing whitespace (a + and 8 to 15 digits), got "x"',
    );
    expect(issues(schema, { mappings: [], dryrun: true })).toBe('dryrun: unknown field');
  });
});
