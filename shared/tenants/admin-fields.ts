import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { normalizeNumber } from './normalize-number.js';

// `zod/mini` leaves the message locale unset; install English unless someone chose one.
if (!z.config().localeError) z.config(en());

const E164 = /^\+\d{8,15}$/;
const shown = (input: unknown) => JSON.stringify(input);
const text = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) });

/**
 * The one validation of operator input, used by the admin function and the local CLI alike.
 * A number is normalised as the worker does (the contract's trim and whitespace removal),
 * then must be E.164, so the key written is the key the worker reads.
 */
export const phoneNumberField = z.pipe(
  text('a string').check(
    z.refine((input: string) => E164.test(normalizeNumber(input)), {
      error: (issue) =>
        `must be E.164 after removing whitespace (a + and 8 to 15 digits), got ${shown(issue.input)}`,
    }),
  ),
  z.transform(normalizeNumber),
);

/** A tenant id is part of key names, so ':' and whitespace would make keys ambiguous. */
export const tenantIdField = text('a string').check(
  z.refine((input: string) => input !== '' && !/[:\s]/.test(input), {
    error: (issue) => `must be a non-empty id without ':' or whitespace, got ${shown(issue.input)}`,
  }),
);

const isPositiveInteger = (input: unknown): boolean => {
  const digits = typeof input === 'number' ? String(input) : String(input).trim();
  const n = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
  return (
    (typeof input === 'number' || typeof input === 'string') && n > 0 && Number.isSafeInteger(n)
  );
};

/** A cap: a positive integer (JSON number, or digits from a command line); the worker ignores anything else. */
export const capField = z.pipe(
  z.unknown().check(
    z.refine(isPositiveInteger, {
      error: (issue) => `must be a positive integer, got ${shown(issue.input)}`,
    }),
  ),
  z.transform((input: unknown) => Number(String(input).trim())),
);

/** Who asked for a change, recorded in the audit line (an IAM ARN from the CLI). */
export const requestedByField = z.optional(text('a string').check(z.maxLength(512)));

/** `mappings[2].number: must be ...`: every issue names its field and the rule it broke. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: unknown field`;
      const path = issue.path.reduce<string>(
        (at, key) =>
          typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${String(key)}` : String(key),
        '',
      );
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** A number normalised and checked as the admin function does, for tools that take one. */
export function parseNumber(
  input: string,
): { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string } {
  const result = phoneNumberField.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: describeIssues(result.error) };
}
