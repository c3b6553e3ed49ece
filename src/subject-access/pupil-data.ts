// Subject access and erasure for one pupil: everything held about them as a zip, and their erasure
// once they are past retention. Both name the pupil in the audit log by an opaque reference only.
import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { emlName } from '../mail/mailer.ts';
import type { AuditEntry, Store } from '../store/types.ts';
import { cutoff } from '../retention/policy.ts';
import { registerWritten } from '../register/register-changes.ts';

/** Audits one subject-access action; the target carries the school only, the detail the reference. */
export type SubjectAudit = (action: 'pupil.export' | 'pupil.erase', detail: { reference: string } & Record<string, unknown>) => Promise<void>;

/** How a request is named in the audit log and to the admin (to note in the school's request register). */
const newReference = () => `sar-${randomUUID()}`;

const json = (value: unknown) => strToU8(`${JSON.stringify(value, null, 2)}\n`);
/** Ids become file names: only safe characters. */
const fileSafe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');

async function auditAbout(store: Store, schoolId: string, upn: string, caseIds: string[]): Promise<AuditEntry[]> {
  const found = new Map<string, AuditEntry>();
  const all = async (filter: { upn?: string; caseId?: string }) => {
    for (let offset = 0; ; offset += 500) {
      const page = await store.listAudit({ ...filter, schoolIds: [schoolId], limit: 500, offset });
      for (const entry of page.entries) found.set(entry.id, entry);
      if (page.entries.length < 500) return;
    }
  };
  await all({ upn });
  for (const caseId of caseIds) await all({ caseId });
  return [...found.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

const README = `What this school's attendance service holds about one pupil, as at the export's date.

pupil.json      the pupil as imported from the school's MIS
contacts.json   parents and carers the school gave, with their postal addresses
register.json   attendance marks and every amendment to them
cases.json      attendance cases: their steps (timeline), tasks and the letters and emails queued
messages.json   letters and emails made, with whom they went to and when
letters/        the letters as printed (PDF)
emails/         the emails as sent (.eml)
audit.json      who looked at or changed this pupil's records, and when
`;

/** The zip, or null when the school holds no such pupil. */
export async function exportPupilData(store: Store, schoolId: string, upn: string, audit: SubjectAudit, now: Date): Promise<{ zip: Uint8Array; reference: string } | null> {
  const pupil = await store.getPupil(schoolId, upn);
  if (!pupil) return null;
  const { cases } = await store.listCases({ schoolIds: [schoolId], upn, limit: 10_000 });
  const files: Zippable = { 'README.txt': strToU8(README), 'pupil.json': json(pupil) };
  files['contacts.json'] = json(await store.listContacts(schoolId, upn));
  files['register.json'] = json({ marks: await store.listMarks(schoolId, upn), amendments: await store.listAmendments(schoolId, upn) });
  const caseFiles = [];
  const letters: Zippable = {};
  const emails: Zippable = {};
  const messages = [];
  for (const record of cases) {
    caseFiles.push({
      ...record,
      timeline: await store.listTimeline(record.id),
      tasks: await store.listTasks({ caseId: record.id }),
      effects: await store.listEffects({ caseId: record.id }),
    });
    for (const message of await store.listMessages({ caseId: record.id })) {
      const { raw, pdf, ...summary } = message;
      messages.push(summary);
      if (pdf) letters[`${fileSafe(message.id)}.pdf`] = new Uint8Array(pdf);
      if (raw) emails[`${fileSafe(message.id)}.eml`] = strToU8(raw);
    }
  }
  files['cases.json'] = json(caseFiles);
  files['messages.json'] = json(messages);
  files['letters'] = letters;
  files['emails'] = emails;
  files['audit.json'] = json(await auditAbout(store, schoolId, upn, cases.map((c) => c.id)));
  const reference = newReference();
  const zip = zipSync(files, { level: 6, mtime: now });
  await audit('pupil.export', { reference, cases: cases.length, messages: messages.length });
  return { zip, reference };
}

export type EraseOutcome =
  | { erased: true; reference: string }
  | { erased: false; status: 404 | 409; message: string };

/**
 * Erases a pupil who is past retention: off roll, and their date of birth + `yearsFromBirth` (the
 * pupils rule, RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH) before `now`, with no open case. Their audit
 * entries stay under the audit log's own period: they record who saw the data, not the data.
 */
export async function erasePupilData(
  deps: { store: Store; dataDir: string },
  schoolId: string,
  upn: string,
  options: { yearsFromBirth: number; now: Date; audit: SubjectAudit },
): Promise<EraseOutcome> {
  const pupil = await deps.store.getPupil(schoolId, upn);
  if (!pupil) return { erased: false, status: 404, message: 'no such pupil at this school' };
  if (pupil.onRoll) return { erased: false, status: 409, message: 'the pupil is still on roll: their records are kept while they attend' };
  const keptUntil = new Date(`${pupil.dateOfBirth}T00:00:00Z`);
  keptUntil.setUTCFullYear(keptUntil.getUTCFullYear() + options.yearsFromBirth);
  if (new Date(`${pupil.dateOfBirth}T00:00:00Z`) >= cutoff(options.now, options.yearsFromBirth)) {
    return { erased: false, status: 409, message: `the pupil's records are kept until ${keptUntil.toISOString().slice(0, 10)} (date of birth + ${options.yearsFromBirth} years)` };
  }
  const { cases } = await deps.store.listCases({ schoolIds: [schoolId], upn, limit: 10_000 });
  const messageIds = [];
  for (const record of cases) for (const m of await deps.store.listMessages({ caseId: record.id })) messageIds.push(m.messageId);
  const outcome = await deps.store.erasePupil(schoolId, upn);
  if (outcome === 'erased') registerWritten(deps.store, schoolId);
  if (outcome === 'missing') return { erased: false, status: 404, message: 'no such pupil at this school' };
  if (outcome === 'open-case') return { erased: false, status: 409, message: 'the pupil has an open case: close it first' };
  // The stored copies after the rows: a crash between leaves files the letters retention sweep removes.
  for (const id of messageIds) {
    await unlink(join(deps.dataDir, 'mail', emlName(id))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  const reference = newReference();
  await options.audit('pupil.erase', { reference, cases: cases.length, messages: messageIds.length });
  return { erased: true, reference };
}
