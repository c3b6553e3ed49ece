import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { run as runDiagram } from '../../../src/cli/commands/diagram.ts';
import { run as runSimulate } from '../../../src/cli/commands/simulate.ts';
import { addDays } from '../../../src/domain/dates.ts';
import { parseActions, readMarks, readParents, readPupils } from '../../../src/simulator/csv.ts';
import { simulate, staffEvent } from '../../../src/simulator/simulate.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';

const dir = new URL('../../fixtures/simulator/west-coventry/', import.meta.url);
const file = (name: string) => new URL(name, dir).pathname;
const read = (name: string) => readFileSync(file(name), 'utf8');
const csv = (...lines: string[]) => Readable.from([lines.join('\n')]);

// The fixture's pupils (their UPNs as the MIS exports them).
const A1 = 'A331400112001';
const B2 = 'B331400112002';
const C3 = 'C331400112003';

async function westCoventry() {
  const workflow = getWorkflow('west-coventry');
  return simulate({
    workflow,
    calendar: calendarFor(workflow),
    pupils: await readPupils(createReadStream(file('pupils.csv'))),
    marks: await readMarks(createReadStream(file('marks.csv'))),
    parents: await readParents(createReadStream(file('contacts.csv'))),
    actions: parseActions(read('actions.csv')),
    from: '2024-09-02',
    to: '2024-12-20',
  });
}

describe('simulator', () => {
  it('when the West Coventry register runs from September to Christmas, then A1 walks Letter A to prosecution on the right dates', async () => {
    const { lines } = await westCoventry();
    const a1 = lines.filter((line) => line.upn === A1).map((line) => `${line.date} ${line.event} ${line.from} -> ${line.to}`);
    expect(a1).toEqual([
      // First weekly review (Monday) after an unauthorised absence.
      '2024-09-16 OPEN new -> open.stage1a',
      '2024-10-14 REVIEW_DUE open.stage1a -> open.stage1b',
      // 10 unauthorised sessions within 10 school weeks.
      '2024-10-15 THRESHOLD_MET open.stage1b -> open.considering',
      '2024-10-18 CONSIDERATIONS_RECORDED open.considering -> open.noticeToImprove.requested',
      '2024-10-21 NTI_ISSUED open.noticeToImprove.requested -> open.noticeToImprove.improvementPeriod',
      '2024-11-12 UNAUTHORISED_ABSENCE open.noticeToImprove.improvementPeriod -> open.penaltyNotice.requested',
      '2024-11-14 PENALTY_NOTICE_ISSUED open.penaltyNotice.requested -> open.penaltyNotice.paymentWindow',
      // 21 and 28 calendar days after issue.
      '2024-12-05 REDUCED_RATE_WINDOW_CLOSED open.penaltyNotice.paymentWindow -> open.penaltyNotice.paymentWindow',
      '2024-12-12 PAYMENT_WINDOW_CLOSED open.penaltyNotice.paymentWindow -> open.penaltyNotice.laDecision',
      '2024-12-16 LA_DECISION open.penaltyNotice.laDecision -> open.prosecution.preparing',
    ]);
  });

  it('when a pupil reaches 15 school days of illness, then the LA gets the sickness return once', async () => {
    const returns = (await westCoventry()).lines.filter((line) => line.event === 'SICKNESS_RETURN_DUE');
    expect(returns.map((line) => [line.upn, line.date])).toEqual([[C3, '2024-10-18']]);
  });

  it('when a pupil attends well, then no case is opened for them', async () => {
    const { lines, summary } = await westCoventry();
    expect(lines.some((line) => line.upn === B2)).toBe(false);
    expect(summary).toMatchObject({ pupils: 3, cases: 2, finalStates: { 'open.prosecution.preparing': 1, 'open.stage1a': 1 } });
  });

  it('when the same input runs twice, then the output is identical', async () => {
    expect(JSON.stringify(await westCoventry())).toBe(JSON.stringify(await westCoventry()));
  });

  it('when contacts.csv lists a pupil\'s contacts, then the parents are those with parental responsibility, parent-1, parent-2... in file order', async () => {
    const parents = await readParents(createReadStream(file('contacts.csv')));
    expect(parents[A1]).toEqual([
      { id: 'parent-1', name: 'Ms Aisha Ahmed' },
      { id: 'parent-2', name: 'Mr Omar Ahmed' },
    ]);
    expect(parents[C3]).toEqual([{ id: 'parent-1', name: 'Mrs Carol Clarke' }]);
  });

  it('when pupils.csv has a malformed row, then reading stops with the file, line, column and value', async () => {
    const pupils = csv(
      'upn,forename,surname,date_of_birth,year_group',
      `${A1},Amir,Ahmed,2013-05-14,6`,
      'A1,Bethany,Brown,2014-01-09,5',
    );
    await expect(readPupils(pupils, 'pupils.csv')).rejects.toThrow("pupils.csv line 3: upn 'A1' is not a UPN");
    await expect(readPupils(csv('upn,forename,surname,date_of_birth', `${A1},Amir,Ahmed,2013-05-14`))).rejects.toThrow(
      "pupils.csv line 1: column 'year_group' is missing",
    );
    await expect(readPupils(csv('upn,forename,surname,date_of_birth,year_group', `${A1},A,A,2013-05-14,6`, `${A1},A,A,2013-05-14,6`))).rejects.toThrow(
      `pupils.csv line 3: upn '${A1}' already appears on line 2`,
    );
  });

  it('when marks.csv or contacts.csv has a malformed row, then reading stops with the line and the value', async () => {
    await expect(readMarks(csv('upn,date,session,code', `${A1},2024-09-02,AM,/`, `${A1},2024-09-02,EV,/`))).rejects.toThrow(
      "marks.csv line 3: session 'EV' must be AM or PM",
    );
    const contacts = csv('upn,name,relationship,email,phone,parental_responsibility,lives_with', `${A1},Ms A,mother,,,maybe,yes`);
    await expect(readParents(contacts)).rejects.toThrow("contacts.csv line 2: parental_responsibility 'maybe' must be yes or no");
  });

  it('when an absence runs 10 school days with only N and O marks, then the flags read from the marks send the CME form; an explained run does not', async () => {
    const workflow = getWorkflow('dsat');
    const calendar = calendarFor(workflow);
    const [silent, explained] = ['A331400112101', 'A331400112102'];
    const marks = ['upn,date,session,code'];
    for (let date = '2024-09-02', day = 0; date <= '2024-10-25'; date = addDays(date, 1)) {
      if (!calendar.isSchoolDay(date)) continue;
      day += 1;
      for (const session of ['AM', 'PM']) {
        // Away from the sixth school week on: no reason yet (N) for one pupil; a holiday the parents told the school of (G) for the other.
        const away = day > 25;
        marks.push(`${silent},${date},${session},${away ? 'N' : '/'}`);
        marks.push(`${explained},${date},${session},${away ? 'G' : '/'}`);
      }
    }
    const { lines } = simulate({
      workflow,
      calendar,
      pupils: await readPupils(csv('upn,forename,surname,date_of_birth,year_group', `${silent},A,A,2013-05-14,6`, `${explained},B,B,2013-05-14,6`)),
      marks: await readMarks(csv(...marks)),
      parents: {},
      actions: [],
      from: '2024-09-02',
      to: '2024-10-25',
    });
    const cme = lines.filter((line) => line.event === 'CHILD_MISSING_EDUCATION');
    // Away from Monday 7 October: the tenth school day of the run.
    expect(cme.map((line) => [line.upn, line.date])).toEqual([[silent, '2024-10-18']]);
  });

  it('when actions.csv names an unknown action, then the simulation stops with the reason', () => {
    expect(() => staffEvent({ date: '2024-10-01', upn: A1, action: 'SEND_FLOWERS', detail: '' }, [])).toThrow(/unknown staff action/);
    expect(() => staffEvent({ date: '2024-10-01', upn: A1, action: 'LA_DECISION', detail: 'maybe' }, [{ id: 'p' }])).toThrow(/prosecute or withdraw/);
  });

  it('when the simulate command runs, then it prints the story, one JSON line each, and a summary', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await runSimulate([
      '--workflow', 'west-coventry',
      '--pupils', file('pupils.csv'),
      '--marks', file('marks.csv'),
      '--contacts', file('contacts.csv'),
      '--actions', file('actions.csv'),
      '--from', '2024-09-02',
      '--to', '2024-12-20',
    ]);
    const printed = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    log.mockRestore();
    expect(code).toBe(0);
    const transitions = printed.filter((line) => line.line === 'transition');
    expect(transitions[0]).toMatchObject({ date: '2024-09-16', upn: A1, event: 'OPEN', from: 'new', to: 'open.stage1a' });
    expect(printed.at(-1)).toHaveProperty('summary.transitions', transitions.length);
  });

  it('when the diagram command runs, then it prints the Mermaid statechart', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runDiagram(['west-coventry'])).toBe(0);
    const text = String(write.mock.calls[0]?.[0]);
    write.mockRestore();
    expect(text).toMatch(/^stateDiagram-v2\n/);
    expect(text).toContain('open_stage1b --> open_stage2 : Parent or carer did not attend the meeting');
    // In words: states by the policy's names, conditions as phrases, letters by their names.
    expect(text).toContain('state "Stage 1b" as open_stage1b');
    expect(text).toContain('open_stage1a --> open_stage1b : Review due (if timer is current)');
    expect(text).toMatch(/^\s*open_stage1b : Stage 1b \(Letter B\)/m);
    // Mermaid refuses a description on a state it draws as a group.
    const groups = [...text.matchAll(/^\s*state (\S+) \{/gm)].map((match) => match[1]);
    expect(groups).toContain('open_noticeToImprove');
    for (const group of groups) expect(text).not.toMatch(new RegExp(`^\\s*${group} : `, 'm'));
    expect(text).toMatch(/^\s*open_stage1b : Stage 1b/m);
  });
});
