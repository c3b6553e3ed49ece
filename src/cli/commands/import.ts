import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Transform } from 'node:stream';
import { withStore } from '../open.ts';
import { IMPORTERS } from '../../register/import-register.ts';
import { formatReport } from '../../register/report-text.ts';
import { REGISTER_FILES, type RegisterFileKind } from '../../register/rows.ts';

const usage = `usage: attendance import pupils|contacts|marks <file.csv> --school <id> [--reason <text>] [--actor <who>] [--json]

Imports a school MIS export, all or nothing. Re-importing is safe: unchanged rows change nothing,
and a mark whose code changed is kept as an amendment (original code, new code, reason, who, when).`;

function progressBar(total: number) {
  let bytes = 0;
  let last = 0;
  const draw = (done: boolean) => {
    const pct = total > 0 ? Math.min(100, (bytes / total) * 100) : 100;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(0).padStart(3)}%  ${(bytes / 1e6).toFixed(1)} MB${done ? '\n' : ''}`);
  };
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (Date.now() - last > 200) {
        last = Date.now();
        if (process.stderr.isTTY) draw(false);
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (process.stderr.isTTY) draw(true);
      callback();
    },
  });
  return meter;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      school: { type: 'string' },
      reason: { type: 'string', default: 'MIS export' },
      actor: { type: 'string', default: `cli:${process.env.USER ?? 'unknown'}` },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [kind, file] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!kind || !(kind in REGISTER_FILES) || !file || !values.school) {
    console.error(usage);
    return 2;
  }
  const size = (await stat(file)).size;
  const report = await withStore((store) =>
    IMPORTERS[kind as RegisterFileKind](store, {
      schoolId: values.school!,
      source: createReadStream(file).pipe(progressBar(size)),
      actor: values.actor,
      reason: values.reason,
      at: new Date(),
    }),
  );
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.applied ? 0 : 1;
}
