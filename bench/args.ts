import { parseArgs } from 'node:util';
import type { TrustSize } from './trust.ts';

export const FULL: TrustSize = { pupils: 20_000, weeks: 39, seed: 1 };
export const QUICK: TrustSize = { pupils: 2_000, weeks: 39, seed: 1 };

/** `--pupils --weeks --seed`, `--quick` for the smoke-run size, `--only a,b`, `--pg <dir>` (its own cluster) and `--curve [--sizes a,b]` for the runner. */
export function parseSize(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { pupils: { type: 'string' }, weeks: { type: 'string' }, seed: { type: 'string' }, quick: { type: 'boolean' }, only: { type: 'string' }, pg: { type: 'string' }, curve: { type: 'boolean' }, sizes: { type: 'string' } },
    strict: true,
  });
  const base = values.quick ? QUICK : FULL;
  const number = (value: unknown, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a whole number above 0`);
    return n;
  };
  const size: TrustSize = {
    pupils: number(values.pupils, base.pupils, 'pupils'),
    weeks: number(values.weeks, base.weeks, 'weeks'),
    seed: number(values.seed, base.seed, 'seed'),
  };
  return { size, values };
}
