import { createDemoAccounts } from '../access/demo-accounts.ts';
import { Readable } from 'node:stream';
import type { IsoDate } from '../domain/types.ts';
import { importContacts, importMarks, importPupils, type ImportReport } from '../register/import-register.ts';
import type { School, Store, Trust } from '../store/types.ts';
import { calendarForSchool } from '../calendars/school-calendars.ts';
import { syntheticMarks, syntheticPupils, toCsv, type SyntheticSchool } from './synthetic.ts';

/**
 * The five seed settings as a demo: each school runs its own policy's workflow on its LA's
 * calendar. Five of them are one made-up trust, so its trust lead compares schools on different
 * policies; the alternative provision and the DSAT school are trusts of their own.
 */
export const DEMO_TRUSTS: Trust[] = [
  { id: 'three-spires', name: 'Three Spires Learning Trust (demo)' },
  { id: 'leading-futures', name: 'Leading Futures (demo)' },
  { id: 'dsat', name: 'Diocese of Salisbury Academy Trust (demo)' },
];

export const DEMO_SCHOOLS: (School & { synthetic: SyntheticSchool; pupils: number })[] = [
  { id: 'west-coventry', trustId: 'three-spires', name: 'West Coventry Academy', workflowId: 'west-coventry', localAuthority: 'coventry', notifyEmails: { ewo: 'csaws@example.org', la: 'attendance@coventry.example.org', office: 'attendance@westcoventry.example.org' }, pupils: 80, synthetic: { letter: 'A', laCode: '331', establishment: '4001', phase: 'secondary' } },
  { id: 'kennet', trustId: 'three-spires', name: 'Kennet School', workflowId: 'kennet', localAuthority: 'west-berkshire', notifyEmails: { ewo: 'ewo@kennet.example.org', la: 'eas@westberks.example.org', office: 'attendance@kennet.example.org' }, pupils: 80, synthetic: { letter: 'B', laCode: '869', establishment: '4002', phase: 'secondary' } },
  { id: 'francis-baily', trustId: 'three-spires', name: 'Francis Baily Primary School', workflowId: 'francis-baily', localAuthority: 'west-berkshire', notifyEmails: { ewo: 'ews@westberks.example.org', la: 'eas@westberks.example.org', office: 'office@francisbaily.example.org' }, pupils: 50, synthetic: { letter: 'C', laCode: '869', establishment: '2003', phase: 'primary' } },
  { id: 'whitelands-park', trustId: 'three-spires', name: 'Whitelands Park Primary School', workflowId: 'whitelands-park', localAuthority: 'west-berkshire', notifyEmails: { ewo: 'ews@westberks.example.org', la: 'eas@westberks.example.org', office: 'office@whitelandspark.example.org' }, pupils: 50, synthetic: { letter: 'D', laCode: '869', establishment: '2004', phase: 'primary' } },
  { id: 'hall-green', trustId: 'three-spires', name: 'Hall Green Primary School', workflowId: 'hall-green', localAuthority: 'sandwell', notifyEmails: { la: 'attendance@sandwell.example.org', office: 'office@hallgreen.example.org' }, pupils: 60, synthetic: { letter: 'E', laCode: '333', establishment: '2005', phase: 'primary' } },
  { id: 'leading-futures', trustId: 'leading-futures', name: 'Leading Futures Alternative Provision', workflowId: 'leading-futures', localAuthority: 'wolverhampton', notifyEmails: { ewo: 'ewo@wolverhampton.example.org', la: 'attendance.support@wolverhampton.example.org', homeSchool: 'attendance@homeschool.example.org', office: 'attendance@leadingfutures.example.org' }, pupils: 30, synthetic: { letter: 'F', laCode: '336', establishment: '1106', phase: 'alternative' } },
  { id: 'dsat-st-aldhelms', trustId: 'dsat', name: "St Aldhelm's CE Primary (DSAT demo)", workflowId: 'dsat', localAuthority: 'wiltshire', notifyEmails: { ewo: 'ews@wiltshire.example.org', la: 'attendance@wiltshire.example.org', office: 'office@staldhelms.example.org' }, pupils: 50, synthetic: { letter: 'G', laCode: '865', establishment: '3007', phase: 'primary' } },
];

/** The demo register runs through the autumn term of 2025 up to this date; the demo clock starts after it. */
export const DEMO_TERM = { from: '2025-09-01', to: '2025-11-28' } as const satisfies { from: IsoDate; to: IsoDate };

/** Noon on the Sunday after the demo term's marks; advancing to Monday evening runs the first reviews. */
export const DEMO_CLOCK_START = new Date('2025-11-30T12:00:00Z');
export const DEMO_FIRST_REVIEW_MS = 30 * 3_600_000;

const PUPIL_COLUMNS = ['upn', 'forename', 'surname', 'date_of_birth', 'year_group', 'vulnerability'] as const;
const CONTACT_COLUMNS = ['upn', 'name', 'relationship', 'email', 'phone', 'parental_responsibility', 'lives_with', 'address_line_1', 'address_line_2', 'town', 'postcode'] as const;

export async function hasData(store: Store): Promise<boolean> {
  return (await store.listTrusts()).length > 0;
}

/**
 * Loads the demo trusts through the same import path a school's MIS export takes, so the demo
 * exercises validation, amendments and all-or-nothing writes like real data.
 */
export async function loadDemo(store: Store, options: { at: Date; onSchool?: (school: School, reports: ImportReport[]) => void }) {
  for (const trust of DEMO_TRUSTS) await store.upsertTrust(trust);
  for (const [index, { synthetic, pupils: count, ...school }] of DEMO_SCHOOLS.entries()) {
    await store.upsertSchool(school);
    const { pupils, contacts } = syntheticPupils(synthetic, count, 1000 + index);
    const calendar = await calendarForSchool(store, school);
    const input = (csv: string) => ({ schoolId: school.id, source: Readable.from([Buffer.from(csv)]), actor: 'system:demo', reason: 'demo register', at: options.at });
    const reports = [
      await importPupils(store, input(toCsv(PUPIL_COLUMNS, pupils.map((p) => PUPIL_COLUMNS.map((c) => p[c]))))),
      await importContacts(store, input(toCsv(CONTACT_COLUMNS, contacts.map((c) => CONTACT_COLUMNS.map((k) => c[k]))))),
      await importMarks(store, input(toCsv(['upn', 'date', 'session', 'code'], syntheticMarks(pupils, calendar, DEMO_TERM.from, DEMO_TERM.to, 7 + index)))),
    ];
    const rejected = reports.find((report) => !report.applied);
    if (rejected) throw new Error(`demo data for ${school.name} was rejected: ${rejected.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
    options.onSchool?.(school, reports);
  }
  await createDemoAccounts(store, options.at);
}
