import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { importContacts, importPupils } from '../../src/register/import-register.ts';

const at = new Date('2025-01-20T08:00:00Z');
const SCHOOL = 'wca';
const P1 = 'A123456789012';
const P2 = 'B123456789013';
const HEADER = 'upn,name,relationship,email,phone,parental_responsibility,lives_with';
const input = (text: string) => ({ schoolId: SCHOOL, source: Readable.from([Buffer.from(text)]), actor: 'user:officer', reason: 'MIS export', at });

describe('contacts with postal addresses, from the MIS contacts export', () => {
  let db: OpenedPostgres;

  beforeAll(async () => {
    db = await openPostgres(await freshDatabaseUrl());
    await db.store.upsertTrust({ id: 'atlp', name: 'Arthur Terry Learning Partnership' });
    await db.store.upsertSchool({ id: SCHOOL, trustId: 'atlp', name: 'West Coventry Academy', workflowId: 'west-coventry', localAuthority: 'coventry' });
    const pupils = `upn,forename,surname,date_of_birth,year_group\n${P1},Amira,Khan,2011-10-02,9\n${P2},Ben,Lowe,2012-01-15,8\n`;
    expect((await importPupils(db.store, input(pupils))).applied).toBe(true);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when contacts.csv carries address columns, then each address is stored with its postcode in capitals and one space', async () => {
    const csv =
      `${HEADER},address_line_1,address_line_2,town,postcode\n` +
      `${P1},Sara Khan,Mother,,,yes,yes,"Flat 3, 22 Larkspur Road",Earlsdon,Coventry,cv5  6ab\n` +
      `${P1},Omar Khan,Father,omar@example.org,,yes,no,9 Quarry Lane,,Birmingham,B289QT\n` +
      `${P2},Ann Lowe,Mother,ann@example.org,,yes,yes,,,,\n`;
    expect(await importContacts(db.store, input(csv))).toMatchObject({ applied: true, read: 3, rejected: 0, problems: [] });
    expect((await db.store.listContacts(SCHOOL)).map((c) => [c.name, c.address])).toEqual([
      ['Sara Khan', { lines: ['Flat 3, 22 Larkspur Road', 'Earlsdon'], town: 'Coventry', postcode: 'CV5 6AB' }],
      ['Omar Khan', { lines: ['9 Quarry Lane'], town: 'Birmingham', postcode: 'B28 9QT' }],
      ['Ann Lowe', null],
    ]);
  });

  it('when the export gives the address in one column, then its lines, town and postcode are told apart', async () => {
    const csv = `${HEADER},address\n` + `${P2},Ann Lowe,Mother,,,yes,yes,"14 Mill Street, Kenilworth CV8 1AB"\n` + `${P2},Rob Lowe,Father,,,yes,no,"2 The Green\nAllesley\nCoventry\nCV5 9GQ"\n`;
    expect(await importContacts(db.store, input(csv))).toMatchObject({ applied: true, rejected: 0 });
    expect((await db.store.listContacts(SCHOOL, P2)).map((c) => c.address)).toEqual([
      { lines: ['14 Mill Street'], town: 'Kenilworth', postcode: 'CV8 1AB' },
      { lines: ['2 The Green', 'Allesley'], town: 'Coventry', postcode: 'CV5 9GQ' },
    ]);
  });

  it('when a postcode is not a UK postcode or an address lacks its town, then the file is refused naming line, column and value, and nothing changes', async () => {
    const before = await db.store.listContacts(SCHOOL);
    const csv =
      `${HEADER},address_line_1,town,postcode\n` +
      `${P1},Sara Khan,Mother,,,yes,yes,22 Larkspur Road,Coventry,CV5 6AB\n` +
      `${P1},Omar Khan,Father,,,yes,no,9 Quarry Lane,Birmingham,12345\n` +
      `${P2},Ann Lowe,Mother,,,yes,yes,14 Mill Street,,CV8 1AB\n` +
      `${P2},Rob Lowe,Father,,,yes,no,${'x'.repeat(101)},Coventry,CV5 9GQ\n`;
    const report = await importContacts(db.store, input(csv));
    expect(report).toMatchObject({ applied: false, rejected: 3 });
    expect(report.problems.map(({ line, column, value }) => [line, column, value])).toEqual([
      [3, 'postcode', '12345'],
      [4, 'town', ''],
      [5, 'address_line_1', expect.stringMatching(/^x+… \(101 characters\)$/)],
    ]);
    expect(report.problems[0]!.message).toBe("postcode '12345' is not a UK postcode (such as CV1 2AB)");
    expect(report.problems[1]!.message).toBe("town '' is empty: a postal address needs address_line_1, town and postcode");
    expect(report.problems[2]!.message).toMatch(/is longer than 100 characters$/);
    expect(await db.store.listContacts(SCHOOL)).toEqual(before);
  });

  it('when one address column has no postcode, or separate columns are given as well, then the row is refused on the address column', async () => {
    const csv =
      `${HEADER},address,town\n` + `${P1},Sara Khan,Mother,,,yes,yes,"22 Larkspur Road, Coventry",\n` + `${P1},Omar Khan,Father,,,yes,no,"9 Quarry Lane, B28 9QT",Birmingham\n`;
    const report = await importContacts(db.store, input(csv));
    expect(report.applied).toBe(false);
    expect(report.problems.map(({ line, column, message }) => [line, column, message])).toEqual([
      [2, 'address', "address '22 Larkspur Road, Coventry' needs lines, a town and a postcode, separated by commas"],
      [3, 'address', expect.stringContaining('is given as well as address_line_1, address_line_2 or town')],
    ]);
  });
});
