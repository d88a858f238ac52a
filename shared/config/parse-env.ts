import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** Environment variables as Lambda and Node give them: every value is a string or absent. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A required variable holding a whole number greater than zero. */
export const positiveInteger = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .regex(/^\d+$/, { error: 'must be a positive integer' })
  .transform(Number)
  .refine((n) => n > 0 && Number.isSafeInteger(n), { error: 'must be a positive integer' });

/** A required, non-blank string. */
export const requiredString = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required' });

/** A string that falls back to `fallback` when missing or blank, as the contract's prefixes do. */
export const stringWithDefault = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : fallback));

/** An optional positive integer with a default when missing or blank. */
export const positiveIntegerWithDefault = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value : String(fallback)))
    .pipe(positiveInteger);

/** An optional string; blank means absent. */
export const optionalString = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/**
 * Parses `env` with a schema whose keys are the variable names, reporting every
 * offending variable in one `ConfigError` rather than stopping at the first.
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: Env,
  check?: (env: Env) => readonly EnvProblem[],
): z.output<z.ZodObject<S>> {
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

/** A rule that spans variables (for example "one of these two is required"). */
export interface EnvProblem {
  readonly variable: string;
  readonly message: string;
}
