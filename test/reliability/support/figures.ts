import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

/**
 * Appends a run's figures as one JSON line to `test/.tmp/reliability-figures.jsonl` (ignored by git),
 * from which RELIABILITY.md's table is written after a run.
 */
export async function reportFigures(name: string, figures: unknown) {
  const file = path.join(root, 'test/.tmp/reliability-figures.jsonl');
  await mkdir(path.dirname(file), { recursive: true });
  const line = JSON.stringify({ name, at: new Date().toISOString(), figures }, (_key, value: unknown) => (value instanceof Set ? value.size : value));
  await appendFile(file, `${line}\n`);
  if (process.env.RELIABILITY_VERBOSE) console.log(line);
}
