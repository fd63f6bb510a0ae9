// `--event-hook CMD`: CMD run through the shell with one event as JSON on stdin, one at a time, each bounded in time.
import { spawn } from 'node:child_process';
import type { CheckEvent } from './types.js';

/** A hook that runs longer is killed. */
export const HOOK_TIMEOUT_MS = 10_000;
/** Events waiting for the hook beyond this are dropped (and said so in the log). */
const MAX_QUEUED = 100;

export function eventHook(cmd: string, log: (msg: string) => void): (e: CheckEvent) => void {
  const queue: CheckEvent[] = [];
  let busy = false;
  const next = () => {
    const e = queue.shift();
    if (!e) { busy = false; return; }
    busy = true;
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { if (err.length < 1000) err += d.toString(); });
    const timer = setTimeout(() => { log(`event hook: killed after ${HOOK_TIMEOUT_MS / 1000} s`); child.kill('SIGKILL'); }, HOOK_TIMEOUT_MS);
    child.on('error', (e2) => log(`event hook: ${e2.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code) log(`event hook exited ${code}${err ? `: ${err.trim().split('\n')[0]}` : ''}`);
      next();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(e) + '\n');
  };
  return (e) => {
    if (queue.length >= MAX_QUEUED) { log(`event hook: ${MAX_QUEUED} events waiting; dropped one for ${e.service}`); return; }
    queue.push(e);
    if (!busy) next();
  };
}
