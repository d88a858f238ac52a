import { en } from 'zod/locales';
import * as z from 'zod/mini';

// `zod/mini` leaves the message locale unset; install English unless someone already chose one.
if (!z.config().localeError) z.config(en());

/**
 * The field rules of a tenant plan, each with the message an operator sees. Patterns carry what
 * JSON Schema can express (so editors flag it too); refinements add what only code can check.
 */

/** What a caller hears: 1-3000 characters, not only whitespace. */
export const speech = z
  .string()
  .check(
    z.minLength(1, { error: 'must be 1 to 3000 characters' }),
    z.maxLength(3000, { error: 'must be 1 to 3000 characters' }),
    z.regex(/\S/, { error: 'must not be only whitespace' }),
  );

/** E.164: a `+` and 7 to 15 digits. */
export const E164_PATTERN = /^\+[0-9]{7,15}$/;
const SIP_PATTERN = /^sips?:[^\s,@]+@[^\s,@]+$/;

/** Where a transfer goes: an E.164 number or a SIP URI (no commas: Telnyx would split it). */
export const transferTarget = z.string().check(
  z.regex(new RegExp(`${E164_PATTERN.source}|${SIP_PATTERN.source}`), {
    error: 'must be E.164 or a sip: URI',
  }),
);

/** Voice and language names as Telnyx spells them (`female`, `Polly.Joanna`, `en-US`). */
export const voice = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be a voice name such as female' }),
  );
export const language = z.string().check(
  z.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, {
    error: 'must be a language tag such as en-US',
  }),
);

/**
 * A URL Telnyx fetches or connects to. Whitespace is refused rather than trimmed (a saved
 * trailing space must fail the save, not the calls), and so are credentials, IP literals and
 * `localhost`: the plan names public services by host name.
 */
export function publicUrl(scheme: 'https' | 'wss') {
  return z.string().check(
    z.maxLength(2048, { error: 'must be at most 2048 characters' }),
    z.regex(new RegExp(`^${scheme}://\\S+$`), {
      error: `must be a ${scheme}:// URL without whitespace`,
    }),
    z.refine((value: string) => urlProblem(value) === undefined, {
      error: (issue) => urlProblem(String(issue.input)) ?? 'must be a valid URL',
    }),
  );
}

function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a valid URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at localhost';
  if (host.startsWith('[') || /^[0-9.]+$/.test(host) || /^0x/i.test(host))
    return 'must name a host, not an IP address';
  if (!host.includes('.')) return 'must name a public host';
  return undefined;
}

/** An IANA time zone the runtime knows (`America/Chicago`, `UTC`); offsets are refused. */
export const timeZone = z.string().check(
  z.regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/, {
    error: 'must be an IANA time zone such as America/Chicago',
    abort: true,
  }),
  z.refine(isKnownTimeZone, { error: 'must be an IANA time zone such as America/Chicago' }),
);

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const CLOCK = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** `HH:MM` on a 24-hour clock; `24:00` closes a range at midnight. */
export const clockTime = z
  .string()
  .check(z.regex(CLOCK, { error: 'must be HH:MM (00:00 to 24:00)' }));

/** An opening range `["09:00","17:30"]`, start before end (split a range that crosses midnight). */
export const openRange = z.tuple([clockTime, clockTime]).check(
  // Compared only once both are well formed (their own rule reports them otherwise).
  z.refine(([start, end]) => !(CLOCK.test(start) && CLOCK.test(end)) || start < end, {
    error: 'must start before it ends (split a range that crosses midnight)',
  }),
);

/** An AI assistant id as Telnyx issues them (`assistant-...`). */
export const assistantId = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: 'must be a Telnyx assistant id' }),
  );

/** Variable names: identifiers, so they read as template names and never as free text. */
export const variableName = z.string().check(
  z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, {
    error: 'must be an identifier of at most 64 characters',
  }),
);
