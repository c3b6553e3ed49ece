// `npm run build` compiles the TypeScript to dist/; this copies what the compiled code reads
// from beside itself (SQL migrations, page views and assets, letter templates) to the same place
// under dist/, so `node dist/src/cli/main.js` finds them as the sources do.
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
for (const dir of ['src', 'templates', 'workflows', 'machines']) {
  for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const from = path.join(entry.parentPath, entry.name);
    cpSync(from, path.join(root, 'dist', path.relative(root, from)));
  }
}
