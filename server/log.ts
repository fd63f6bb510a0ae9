// Process log: one line per event on stderr, so stdout stays clean for command output (zone export, tokens).

export type Logger = (msg: string) => void;

export const log: Logger = (msg) => {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
};
