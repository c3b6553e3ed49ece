import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { judgeHeader, mappingFromForm, readHead, renamed } from '../../../src/register/column-mapping.ts';
import { markRowSchema, contactRowSchema, pupilRowSchema, quickMarkRow } from '../../../src/register/rows.ts';
import type { RegisterMapping } from '../../../src/store/types.ts';

const UPN = 'A331400112001';
const chunks = (value: string, size = 7) => Readable.from(Array.from({ length: Math.ceil(value.length / size) }, (_, i) => Buffer.from(value.slice(i * size, (i + 1) * size))));

describe('reading a school export as our register files', () => {
  it('when a file has our names, then it is read as it is; with a preset’s names, by that preset', () => {
    expect(judgeHeader('marks', ['upn', 'date', 'session', 'code'], null)).toEqual({ fits: true, plan: null });
    expect(judgeHeader('marks', ['upn', 'date', 'session name', 'mark', 'reg group'], null)).toEqual({ fits: true, plan: { source: 'sims', targets: ['upn', 'date', 'session', 'code', ''] } });
    expect(judgeHeader('marks', ['upn', 'date', 'period', 'raw_mark'], null)).toEqual({ fits: true, plan: { source: 'arbor', targets: ['upn', 'date', 'session', 'code'] } });
    expect(judgeHeader('marks', ['student_id', 'date', 'session', 'attendance_code_id'], null)).toEqual({ fits: false });
    // Our names with a column we do not take: read by name, the other left out.
    expect(judgeHeader('pupils', ['upn', 'form', 'forename', 'surname', 'date_of_birth', 'year_group', 'vulnerability'], null)).toEqual({
      fits: true,
      plan: { source: 'ours', targets: ['upn', '', 'forename', 'surname', 'date_of_birth', 'year_group', 'vulnerability'] },
    });
  });

  it('when the school saved a mapping, then it comes before the presets; a file it does not cover goes to the presets', () => {
    const saved: RegisterMapping = { schoolId: 's', kind: 'marks', preset: null, columns: [{ from: 'mark', to: 'upn' }, { from: 'pupil', to: 'code' }], updatedAt: new Date(), updatedBy: 'u' };
    expect(judgeHeader('marks', ['pupil', 'date', 'session', 'mark'], saved)).toEqual({ fits: true, plan: { source: 'saved', targets: ['code', 'date', 'session', 'upn'] } });
    expect(judgeHeader('marks', ['upn', 'date', 'session name', 'mark'], { ...saved, columns: [] })).toMatchObject({ plan: { source: 'sims' } });
  });

  it('when a mapping form names a column twice or leaves a required one out, then each problem is said', () => {
    const header = ['a', 'b', 'c', 'd'];
    expect(mappingFromForm('marks', header, { column0: 'upn', column1: 'upn', column2: 'session' }).problems).toEqual([
      "two of the file's columns are chosen for 'upn': choose one",
      "choose the file's column for 'date'",
      "choose the file's column for 'code'",
    ]);
    expect(mappingFromForm('marks', header, { column0: 'upn', column1: 'date', column2: 'session', column3: 'code' })).toEqual({
      columns: header.map((from, i) => ({ from, to: ['upn', 'date', 'session', 'code'][i]! })),
      problems: [],
    });
  });

  it('when only names change, then the records pass byte for byte; when columns are left out, quoted fields, empty lines and line numbers survive', async () => {
    const file = `\uFEFFUPN,Date,"Session Name",Mark,Reg Group\r\n${UPN},2024-10-07,AM,/,"9T, North"\r\n\r\n${UPN},2024-10-07,PM,"N","two\r\nlines"\r\n`;
    const head = await readHead(chunks(file));
    expect(head.header).toEqual(['upn', 'date', 'session name', 'mark', 'reg group']);
    const rename = judgeHeader('marks', head.header!, null);
    expect(rename.fits && rename.plan?.targets).toEqual(['upn', 'date', 'session', 'code', '']);
    const out = await text(renamed(head.file, rename.fits ? rename.plan : null));
    expect(out).toBe(`upn,date,session,code\r\n${UPN},2024-10-07,AM,/\r\n\r\n${UPN},2024-10-07,PM,N\r\n`);

    const plain = `UPN,Date,Session Name,Mark\n${UPN},2024-10-07,AM,/\n`;
    const again = await readHead(chunks(plain, 3));
    const verdict = judgeHeader('marks', again.header!, null);
    expect(await text(renamed(again.file, verdict.fits ? verdict.plan : null))).toBe(`upn,date,session,code\n${UPN},2024-10-07,AM,/\n`);
  });

  it('when a file is a spreadsheet or UTF-16 text, then it is said so before anything is read as CSV', async () => {
    expect((await readHead(Readable.from([Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2])]))).notCsv).toContain('Excel .xlsx');
    expect((await readHead(Readable.from([Buffer.from([0xff, 0xfe, 0x75, 0x00])]))).notCsv).toContain('UTF-16');
    expect((await readHead(Readable.from([Buffer.from('upn,date\n')]))).notCsv).toBeNull();
  });

  it('when an export writes dates as DD/MM/YYYY, sessions as MORNING/AFTERNOON and ticks as T/F, then they are read as ours', () => {
    const row = { upn: UPN, date: '7/10/2024', session: 'Afternoon', code: 'N' };
    expect(markRowSchema.parse(row)).toEqual({ upn: UPN, date: '2024-10-07', session: 'PM', code: 'N' });
    expect(quickMarkRow(row)).toEqual({ upn: UPN, date: '2024-10-07', session: 'PM', code: 'N' });
    expect(markRowSchema.safeParse({ ...row, date: '31/02/2024' }).success).toBe(false);
    expect(pupilRowSchema.parse({ upn: UPN, forename: 'Ava', surname: 'Stone', date_of_birth: '03/02/2012', year_group: '8' }).date_of_birth).toBe('2012-02-03');
    const contact = contactRowSchema.parse({ upn: UPN, name: 'Mia Stone', relationship: 'Mother', email: '', phone: '', parental_responsibility: 'T', lives_with: 'f' });
    expect([contact.parental_responsibility, contact.lives_with]).toEqual([true, false]);
  });
});
