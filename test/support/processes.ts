// Which processes run, read from /proc (Linux), so the tests need no procps (`pgrep`): a fresh
// machine or a slim container may not have it.
import { readdirSync, readFileSync } from 'node:fs';

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null; // the process ended while we looked
  }
}

const pids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid);

/** Processes whose command line contains `text` (like `pgrep -f`). */
export function processesMatching(text: string): number[] {
  return pids().filter((pid) => read(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ').includes(text));
}

/** The children of `parent` (like `pgrep -P`). */
export function childrenOf(parent: number): number[] {
  // The fields after the command name, which is in parentheses and may itself hold spaces.
  return pids().filter((pid) => Number(read(`/proc/${pid}/stat`)?.split(') ')[1]?.split(' ')[1]) === parent);
}
