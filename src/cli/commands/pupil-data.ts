import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { auditRecorder } from '../../access/audit.ts';
import { erasePupilData, exportPupilData, type SubjectAudit } from '../../subject-access/pupil-data.ts';
import type { Store } from '../../store/types.ts';
import { withStore } from '../open.ts';

const usage = `usage: attendance pupil-data export --school <id> --upn <upn> --out <file.zip>
       attendance pupil-data erase --school <id> --upn <upn>

export   everything held about one pupil (register, cases, timelines, tasks, letters and emails as
         sent, contacts, audit entries about them) as a zip, for a subject access request.
erase    deletes a pupil who has left and is past retention (date of birth + RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH
         years) with their register, contacts and closed cases; refused while they are on roll,
         within the period, or have an open case.
Both are audited under a reference (printed) that does not name the pupil.`;

const audited = (store: Store, schoolId: string): SubjectAudit => (action, detail) => auditRecorder(store, () => new Date())('cli:pupil-data', action, { schoolId }, detail);

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { school: { type: 'string' }, upn: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [action] = positionals;
  if (values.help || positionals.length !== 1 || (action !== 'export' && action !== 'erase') || !values.school || !values.upn || (action === 'export' && !values.out)) {
    (values.help ? console.log : console.error)(usage);
    return values.help ? 0 : 2;
  }
  const { school, upn, out } = values;
  return withStore(async (store, config) => {
    if (action === 'export') {
      const exported = await exportPupilData(store, school, upn, audited(store, school), new Date());
      if (!exported) {
        console.error('no such pupil at this school');
        return 1;
      }
      // Personal data: readable by the operator only.
      await writeFile(out!, exported.zip, { mode: 0o600 });
      console.log(`wrote ${out} (${exported.zip.length} bytes); audit reference ${exported.reference}`);
      return 0;
    }
    const outcome = await erasePupilData({ store, dataDir: config.DATA_DIR }, school, upn, {
      yearsFromBirth: config.RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH,
      now: new Date(),
      audit: audited(store, school),
    });
    if (!outcome.erased) {
      console.error(`refused: ${outcome.message}`);
      return 1;
    }
    console.log(`erased; audit reference ${outcome.reference}`);
    return 0;
  });
}
