// Process log through pino (fastify's logger): levels, one JSON object or one text line per entry, on stderr so stdout stays clean for command output.
import { pino, type Logger as Pino, type LevelWithSilent } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/**
 * What an entry carries besides its message. `event` names a structured event (`xfr.transfer`,
 * `notify`, `update`, `key`, `rollover.step`, `api.request`…) that a log shipper can select
 * on; the other fields are the event's facts. Never a secret: callers pass labels and names.
 */
export interface LogFields {
  level?: LogLevel;
  event?: string;
  [field: string]: unknown;
}

/**
 * Where code logs: a message and optionally its fields. A plain `(msg) => void` is a Logger
 * too (tests pass one to collect or silence messages).
 */
export type Logger = (msg: string, fields?: LogFields) => void;

/** A Logger writing through `p`: the level from the fields (default info), the rest as the entry's own keys. */
export function pinoLogger(p: Pino): Logger {
  return (msg, fields) => {
    if (fields === undefined) { p.info(msg); return; }
    const { level = 'info', ...rest } = fields;
    p[level](rest, msg);
  };
}

/**
 * Text format: `TIME [LEVEL] message`, what a person tails (the level shown when not info).
 * An event's message says what its fields say; the fields themselves are for JSON, which is
 * what a log shipper reads.
 */
function textLine(o: Record<string, unknown>): string {
  const { time, level, msg } = o;
  const label = String(level).toUpperCase();
  return `${new Date(Number(time)).toISOString()} ${label === 'INFO' ? '' : `${label} `}${String(msg ?? '')}\n`;
}

/** A pino instance writing to `out` (default stderr) in `format`, from `level` up. */
export function makePino(format: LogFormat, level: LevelWithSilent = 'info', out: { write(s: string): unknown } = process.stderr): Pino {
  const opts = {
    level,
    base: { pid: process.pid },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (format === 'json') return pino(opts, { write: (s: string) => { out.write(s); } });
  return pino({ ...opts, timestamp: pino.stdTimeFunctions.epochTime }, { write: (s: string) => { out.write(textLine(JSON.parse(s) as Record<string, unknown>)); } });
}

/**
 * The process's logger: text at info until `configureLog` (the serve command's --log-format
 * and --log-level) says otherwise. The `log` function stays the same object, so modules that
 * took it at start-up follow the change.
 */
let current: Pino = makePino('text');

export function configureLog(format: LogFormat, level: LogLevel): void {
  current = makePino(format, level);
  // Node's own warnings (deprecations from a dependency) become entries too, not stray stderr
  // lines that a JSON log shipper would choke on.
  process.removeAllListeners('warning');
  process.on('warning', (w) => log(`${w.name}: ${w.message}`, { level: 'warn', event: 'process.warning', ...('code' in w ? { code: w.code } : {}) }));
}

export const log: Logger = (msg, fields) => pinoLogger(current)(msg, fields);
