/**
 * A value made once, on first `get()`: concurrent callers share one attempt, and a failed
 * attempt is forgotten so the next `get()` tries again (a container must not stay broken
 * because one read failed).
 */
export function retryUntilMade<T>(make: () => Promise<T>): {
  get(): Promise<T>;
  /** The value if it has been made, else undefined. */
  made(): T | undefined;
} {
  let attempt: Promise<T> | undefined;
  let value: T | undefined;
  return {
    get() {
      attempt ??= make().then(
        (made) => {
          value = made;
          return made;
        },
        (error: unknown) => {
          attempt = undefined;
          throw error;
        },
      );
      return attempt;
    },
    made: () => value,
  };
}
