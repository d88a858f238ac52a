import { Logger } from '@aws-lambda-powertools/logger';

/** The narrow logging surface the domain code depends on; Powertools' Logger satisfies it. */
export interface AppLogger {
  debug(message: string, ...extra: LogFields[]): void;
  info(message: string, ...extra: LogFields[]): void;
  warn(message: string, ...extra: LogFields[]): void;
  error(message: string, ...extra: LogFields[]): void;
}

/** Structured fields merged into a log line. */
export type LogFields = Record<string, unknown>;

/** A structured JSON logger; the `message` field carries the contract's words verbatim. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}

/** Masks a phone number to its last four digits (`+13125550199` -> `*******0199`). */
export function maskNumber(value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const visible = value.slice(-4);
  return '*'.repeat(Math.max(value.length - 4, 0)) + visible;
}
