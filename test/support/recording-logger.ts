import type { AppLogger, LogFields } from '../../shared/logging/logger.js';

/** One captured log call. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra?: LogFields | undefined;
}

/** An AppLogger that keeps every entry, so tests assert on the log lines a user would see. */
export class RecordingLogger implements AppLogger {
  readonly entries: LogEntry[] = [];
  debug = (message: string, ...extra: LogFields[]) => this.record('debug', message, extra);
  info = (message: string, ...extra: LogFields[]) => this.record('info', message, extra);
  warn = (message: string, ...extra: LogFields[]) => this.record('warn', message, extra);
  error = (message: string, ...extra: LogFields[]) => this.record('error', message, extra);

  messages(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }

  private record(level: LogEntry['level'], message: string, extra: LogFields[]) {
    const merged = extra.length > 0 ? Object.assign({}, ...extra) : undefined;
    this.entries.push({ level, message, extra: merged });
  }
}
