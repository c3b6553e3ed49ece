// A draft policy tried on the school's real register as of a day, beside the published one: the
// same pure decisions the nightly evaluation makes, with nothing stored and nothing sent.
import type { Workflow } from '../../machines/workflow.ts';
import { calendarForSchool } from '../calendars/school-calendars.ts';
import { marksNeededFrom, schoolMachineFor, type SchoolMachine } from '../cases/case-machines.ts';
import { latestByPupil, pupilDecider, type PupilDecision, type PupilMarks, type Roll } from '../cases/pupil-decision.ts';
import type { IsoDate } from '../domain/types.ts';
import type { Contact, NewEffect, Store } from '../store/types.ts';
import type { SchoolRef } from './policy-service.ts';

/** What one policy would do for one pupil today. */
export interface Outcome {
  kind: 'none' | 'opens' | 'moves' | 'closes' | 'staysPut';
  from: string | null;
  to: string | null;
  /** Letters and notifications it would send (templates), and tasks it would set. */
  sends: string[];
  /** Why the draft cannot decide for this pupil (the case's stage is not in the draft). */
  note?: string;
}

export interface DryRunRow {
  upn: string;
  name: string;
  yearGroup: string;
  published: Outcome;
  draft: Outcome;
  /** The two policies decide differently for this pupil. */
  differs: boolean;
}

export interface DryRun {
  asOf: IsoDate;
  pupils: number;
  rows: DryRunRow[];
  counts: { opens: number; opensNow: number; differs: number };
}

const NONE: Outcome = { kind: 'none', from: null, to: null, sends: [] };

function sendsOf(effects: NewEffect[]): string[] {
  return effects.map((effect) => {
    const params = (effect.payload ?? {}) as { template?: string; kind?: string; title?: string };
    return params.template ?? `task: ${params.title ?? params.kind ?? effect.kind}`;
  });
}

function outcomeOf(decision: PupilDecision | null, from: string | null): Outcome {
  if (!decision) return NONE;
  if (decision.created) return { kind: 'opens', from: null, to: decision.created.record.state, sends: sendsOf(decision.created.effects) };
  if (decision.commit) {
    const to = decision.commit.state;
    return { kind: decision.commit.status === 'closed' ? 'closes' : to === from ? 'staysPut' : 'moves', from, to, sends: sendsOf(decision.commit.effects) };
  }
  return NONE;
}

const same = (a: Outcome, b: Outcome) => a.kind === b.kind && a.to === b.to && JSON.stringify(a.sends) === JSON.stringify(b.sends);

/**
 * Every pupil on roll decided twice as if attendance were reviewed on `asOf`: under the published
 * policy, and under the draft (open cases as if moved to it state for state). Pure: the register
 * is read, nothing is written.
 */
export async function dryRun(store: Store, school: SchoolRef, draft: Workflow, asOf: IsoDate): Promise<DryRun> {
  const published = await schoolMachineFor(store, school);
  const calendar = await calendarForSchool(store, school);
  const draftOnly: SchoolMachine = { workflow: draft, calendar, machine: draft.createMachine(calendar), policyVersion: published.policyVersion + 1 };
  // Every case, whatever version it runs, is tried on the draft.
  const everyVersion = new Map([1, ...(published.versions?.keys() ?? [])].map((version) => [version, draftOnly]));
  const tried: SchoolMachine = { ...draftOnly, versions: everyVersion };

  const pupils = new Map((await store.listPupils(school.id)).map((pupil) => [pupil.upn, pupil]));
  const contacts = new Map<string, Contact[]>();
  for (const contact of await store.listContacts(school.id)) contacts.set(contact.upn, [...(contacts.get(contact.upn) ?? []), contact]);
  const latestCase = latestByPupil((await store.listCases({ schoolIds: [school.id], limit: 1_000_000 })).cases);
  const roll: Roll = { schoolId: school.id, pupils, contacts, latestCase };
  const day = (machine: SchoolMachine) => ({ machine, asOf, reviewDay: true, actor: 'dry-run', now: new Date(), at: new Date() });
  const underPublished = pupilDecider(roll, day(published));
  const underDraft = pupilDecider(roll, day(tried));

  const from = [marksNeededFrom(published, asOf), marksNeededFrom(tried, asOf)].sort()[0]!;
  const rows: DryRunRow[] = [];
  for await (const item of store.streamSchoolMarks(school.id, { from, to: asOf }) as AsyncIterable<PupilMarks>) {
    const pupil = pupils.get(item.upn);
    if (!pupil?.onRoll) continue;
    const record = latestCase.get(item.upn);
    const current = record?.status === 'open' ? record.state : null;
    const before = outcomeOf(underPublished.decide(item), current);
    let after: Outcome;
    try {
      after = outcomeOf(underDraft.decide(item), current);
    } catch {
      after = { ...NONE, note: 'this case’s stage is not in the draft: it stays on its version unless you move it' };
    }
    if (before.kind === 'none' && after.kind === 'none' && !after.note) continue;
    rows.push({ upn: pupil.upn, name: `${pupil.forename} ${pupil.surname}`, yearGroup: pupil.yearGroup, published: before, draft: after, differs: !same(before, after) || Boolean(after.note) });
  }
  rows.sort((a, b) => Number(b.differs) - Number(a.differs) || a.name.localeCompare(b.name));
  return {
    asOf,
    pupils: [...pupils.values()].filter((p) => p.onRoll).length,
    rows,
    counts: {
      opens: rows.filter((r) => r.draft.kind === 'opens').length,
      opensNow: rows.filter((r) => r.draft.kind === 'opens' && r.published.kind !== 'opens').length,
      differs: rows.filter((r) => r.differs).length,
    },
  };
}
