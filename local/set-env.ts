/**
 * Sets environment variables (`undefined` deletes one) and returns a function restoring the
 * previous values, so a run (or a test file) leaves no configuration behind.
 */
export function setEnv(
  vars: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
  };
  assign(vars);
  return () => assign(previous);
}
