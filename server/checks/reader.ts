// A bounded reader for plaintext protocol dialogs: collects what the server sends, never more than a fixed number of octets.
import type { Socket } from 'node:net';

/** The dialog failed: the server closed, said too much, or said something else. */
export class DialogError extends Error {}

/**
 * Reads from a socket until a pattern appears. Text is kept as latin1 (one char per octet, so
 * lengths are octets). Anything beyond `maxBytes` in total fails the dialog: a server that
 * sends 10 MB of greeting costs us `maxBytes`, not 10 MB.
 */
export class DialogReader {
  private buf = '';
  private total = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (d: Buffer) => {
    this.total += d.length;
    if (this.total > this.maxBytes) {
      this.fail(new DialogError(`server sent more than ${this.maxBytes} octets before TLS`));
      this.socket.destroy();
      return;
    }
    this.buf += d.toString('latin1');
    this.wake?.();
  };
  private readonly onEnd = () => this.fail(new DialogError('server closed the connection'));
  private readonly onError = (e: Error) => this.fail(new DialogError(`connection failed: ${e.message}`));

  constructor(private readonly socket: Socket, private readonly maxBytes: number) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
  }

  /** Text up to and including the first match of `re` (which must not be global); what follows stays buffered. */
  async until(re: RegExp): Promise<string> {
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        const end = m.index + m[0].length;
        const out = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        return out;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => { this.wake = r; });
      this.wake = undefined;
    }
  }

  write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  /** Octets received and not consumed by a reply. */
  pending(): number {
    return this.buf.length;
  }

  /** Stop reading: the socket goes on to TLS without our listeners. */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.pause();
  }
}
