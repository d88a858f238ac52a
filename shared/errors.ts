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

/** The reconciler could not read or renew the leases (Redis down, hung, or a script failed). */
export class ReconcileError extends Error {
  override readonly name = 'ReconcileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
