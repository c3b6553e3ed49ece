import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { run as runDiagram } from '../../../src/cli/commands/diagram.ts';
import { run as runSimulate } from '../../../src/cli/commands/simulate.ts';
import { parseActions, parseContacts, parseMarks, parsePupils } from '../../../src/simulator/csv.ts';
import { simulate, staffEvent } from '../../../src/simulator/simulate.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';

const dir = new URL('../../fixtures/simulator/west-coventry/', import.meta.url);
const file = (name: string) => new URL(name, dir).pathname;
const read = (name: string) => readFileSync(file(name), 'utf8');

function westCoventry() {
  const workflow = getWorkflow('west-coventry');
  return simulate({
    workflow,
    calendar: calendarFor(workflow),
    pupils: parsePupils(read('pupils.csv')),
    marks: parseMarks(read('marks.csv')),
    parents: parseContacts(read('contacts.csv')),
    actions: parseActions(read('actions.csv')),
    from: '2024-09-02',
    to: '2024-12-20',
  });
}

describe('simulator', () => {
  it('when the West Coventry register runs from September to Christmas, then A1 walks Letter A to prosecution on the right dates', () => {
    const { lines } = westCoventry();
    const a1 = lines.filter((line) => line.upn === 'A1').map((line) => `${line.date} ${line.event} ${line.from} -> ${line.to}`);
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

  it('when a pupil reaches 15 school days of illness, then the LA gets the sickness return once', () => {
    const returns = westCoventry().lines.filter((line) => line.event === 'SICKNESS_RETURN_DUE');
    expect(returns.map((line) => [line.upn, line.date])).toEqual([['C3', '2024-10-18']]);
  });

  it('when a pupil attends well, then no case is opened for them', () => {
    const { lines, summary } = westCoventry();
    expect(lines.some((line) => line.upn === 'B2')).toBe(false);
    expect(summary).toMatchObject({ pupils: 3, cases: 2, finalStates: { 'open.prosecution.preparing': 1, 'open.stage1a': 1 } });
  });

  it('when the same input runs twice, then the output is identical', () => {
    expect(JSON.stringify(westCoventry())).toBe(JSON.stringify(westCoventry()));
  });

  it('when actions.csv names an unknown action, then the simulation stops with the reason', () => {
    expect(() => staffEvent({ date: '2024-10-01', upn: 'A1', action: 'SEND_FLOWERS', detail: '' }, [])).toThrow(/unknown staff action/);
    expect(() => staffEvent({ date: '2024-10-01', upn: 'A1', action: 'LA_DECISION', detail: 'maybe' }, [{ id: 'p' }])).toThrow(/prosecute or withdraw/);
  });

  it('when the simulate command runs, then it prints one JSON line per transition and a summary', async () => {
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
    expect(printed[0]).toMatchObject({ date: '2024-09-16', upn: 'A1', event: 'OPEN', from: 'new', to: 'open.stage1a' });
    expect(printed.at(-1)).toHaveProperty('summary.transitions', printed.length - 1);
  });

  it('when the diagram command runs, then it prints the Mermaid statechart', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runDiagram(['west-coventry'])).toBe(0);
    const text = String(write.mock.calls[0]?.[0]);
    write.mockRestore();
    expect(text).toMatch(/^stateDiagram-v2\n/);
    expect(text).toContain('open_stage1b --> open_stage2 : PARENT_DID_NOT_ATTEND');
  });
});
