/** A parsed Powertools log line (one JSON object per line). */
export type LogLine = Record<string, unknown>;

/**
 * Decides what happens to one chunk written to a captured stream: `writeThrough` writes it
 * as it would have been written; `callback` is the writer's completion callback, if any.
 */
export type ChunkHandler = (
  chunk: string | Uint8Array,
  writeThrough: () => boolean,
  callback: (() => void) | undefined,
) => boolean;

/** Routes every write to `streams` through `handle`; returns a function that undoes it. */
export function interceptOutput(
  handle: ChunkHandler,
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
): () => void {
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    const original = originals[i] as typeof stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      return handle(chunk, () => original.call(stream, chunk, ...(rest as [])), callback);
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  };
}

/**
 * Tees stdout and stderr: each JSON line (the handlers' Powertools logs, errors and warnings
 * on stderr) goes to `onLine` and is written through only when `show` says so; other output
 * only when `showText` does. Returns a function that undoes it.
 */
export function teeJsonLogs(
  onLine: (line: LogLine) => void,
  show: (line: LogLine) => boolean,
  showText: (text: string) => boolean = () => true,
): () => void {
  return interceptOutput((chunk, writeThrough) => {
    const text = String(chunk);
    if (!text.startsWith('{')) return showText(text) ? writeThrough() : true;
    let shown = false;
    for (const raw of text.split('\n').filter((l) => l.trim() !== '')) {
      try {
        const line = JSON.parse(raw) as LogLine;
        onLine(line);
        shown ||= show(line);
      } catch {
        shown = true;
      }
    }
    return shown ? writeThrough() : true;
  });
}
