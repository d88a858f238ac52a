import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ConfigError } from '../errors.js';

// `zod/mini` leaves the message locale unset; classic `zod` installs English on first use.
// Installing it here (unless someone already chose one) keeps every default message unchanged.
if (!z.config().localeError) z.config(en());

/** Environment variables as Lambda and Node give them: every value is a string or absent. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A required variable holding a whole number greater than zero. */
export const positiveInteger = z
  .pipe(
    z
      .string({
        error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
      })
      .check(z.trim(), z.regex(/^\d+$/, { error: 'must be a positive integer' })),
    z.transform(Number),
  )
  .check(
    z.refine((n: number) => n > 0 && Number.isSafeInteger(n), {
      error: 'must be a positive integer',
    }),
  );

/** A required, non-blank string. */
export const requiredString = z
  .string({ error: 'is required' })
  .check(z.trim(), z.minLength(1, { error: 'is required' }));

/** A string that falls back to `fallback` when missing or blank, as the contract's prefixes do. */
export const stringWithDefault = (fallback: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined) => (value?.trim() ? value.trim() : fallback)),
  );

/** An optional positive integer with a default when missing or blank. */
export const positiveIntegerWithDefault = (fallback: number) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((value: string | undefined) => (value?.trim() ? value : String(fallback))),
    ),
    positiveInteger,
  );

/** An optional string; blank means absent. */
export const optionalString = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => (value?.trim() ? value.trim() : undefined)),
);

/**
 * Parses `env` with a schema whose keys are the variable names, reporting every
 * offending variable in one `ConfigError` rather than stopping at the first.
 */
export function parseEnv<S extends z.core.$ZodShape>(
  shape: S,
  env: Env,
  check?: (env: Env) => readonly EnvProblem[],
): z.output<z.ZodMiniObject<S>> {
  const result = z.object(shape).safeParse(env);
  const problems: EnvProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        variable: String(issue.path[0]),
        message: issue.message,
      }));
  problems.push(...(check?.(env) ?? []));
  if (result.success && problems.length === 0) return result.data;
  const variables = [...new Set(problems.map((p) => p.variable))];
  throw new ConfigError(
    variables,
    problems.map((p) => `${p.variable} ${p.message}`),
  );
}

/** A setting's variable name and how its value is parsed. */
export type EnvField = readonly [variable: string, schema: z.core.$ZodType];

/** The parsed settings of `fields`, keyed as `fields` is. */
export type FieldValues<F extends Record<string, EnvField>> = {
  -readonly [K in keyof F]: z.output<F[K][1]>;
};

/**
 * Reads the settings `fields` names from `env` (see `parseEnv`): each field's value comes
 * from its variable, and every offending variable is reported in one `ConfigError`.
 */
export function loadFields<F extends Record<string, EnvField>>(
  fields: F,
  env: Env,
  check?: (env: Env) => readonly EnvProblem[],
): FieldValues<F> {
  const entries = Object.entries(fields);
  const vars = parseEnv(
    Object.fromEntries(entries.map(([, [variable, schema]]) => [variable, schema])),
    env,
    check,
  ) as Record<string, unknown>;
  return Object.fromEntries(
    entries.map(([key, [variable]]) => [key, vars[variable]]),
  ) as FieldValues<F>;
}

/** A rule that spans variables (for example "one of these two is required"). */
export interface EnvProblem {
  readonly variable: string;
  readonly message: string;
}

/** Splits a comma-separated setting into its trimmed, non-empty entries. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}
