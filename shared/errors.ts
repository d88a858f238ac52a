/** A missing or invalid environment variable; `variables` names every offending one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variables: readonly string[],
    details: readonly string[],
  ) {
    super(`Invalid configuration: ${details.join('; ')}`);
  }
}

/** Redis could not evaluate an admission (down, hung, or the script failed). */
export class CapacityEvaluationError extends Error {
  override readonly name = 'CapacityEvaluationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A Telnyx Call Control command failed for good (after the SDK's own retries). Carries what
 * an operator needs, the HTTP status and Telnyx's error code, and never the request itself.
 */
export class TelnyxCommandError extends Error {
  override readonly name: string = 'TelnyxCommandError';
  /** HTTP status of Telnyx's answer; undefined when none came (timeout, refused connection). */
  readonly status: number | undefined;
  /** The first `errors[].code` of Telnyx's answer, e.g. `10009` for a rejected API key. */
  readonly code: string | undefined;

  constructor(
    readonly command: string,
    cause: unknown,
  ) {
    const { status, code } = telnyxFailure(cause);
    super(`Telnyx ${command} failed${status ? ` with HTTP ${status}` : ' without an answer'}`, {
      cause,
    });
    this.status = status;
    this.code = code;
  }
}

/** Reads the status and first error code of an SDK error (`APIError`: `status`, `error`). */
function telnyxFailure(error: unknown): { status?: number; code?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const { status, error: body } = error as { status?: unknown; error?: unknown };
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  const first = Array.isArray(errors) ? (errors[0] as { code?: unknown } | undefined) : undefined;
  return {
    ...(typeof status === 'number' ? { status } : {}),
    ...(first?.code !== undefined ? { code: String(first.code) } : {}),
  };
}

/** Redis could not be read while resolving a call's tenant (down, hung, or a bad key type). */
export class TenantResolveError extends Error {
  override readonly name = 'TenantResolveError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Redis could not release a call's slot; the message is retried (release is idempotent). */
export class CapacityReleaseError extends Error {
  override readonly name = 'CapacityReleaseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Telnyx refused a command with a 4xx that proves it was not carried out (unlike a timeout,
 * a reset connection or a 5xx, after which the command may or may not have run).
 */
export class CommandRejectedError extends TelnyxCommandError {
  override readonly name = 'CommandRejectedError';
}

/** The reconciler could not read or renew the leases (Redis down, hung, or a script failed). */
export class ReconcileError extends Error {
  override readonly name = 'ReconcileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
