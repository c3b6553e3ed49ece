import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { run as runSimulate } from '../../../src/cli/commands/simulate.ts';
import { addDays } from '../../../src/domain/dates.ts';
import { readMarks, readPupils } from '../../../src/simulator/csv.ts';
import { simulate, STAFF_ACTIONS } from '../../../src/simulator/simulate.ts';
import type { StaffAction, StoryLine } from '../../../src/simulator/simulate.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';

// Issue 20 item 4: the simulator tells the whole story: tasks and duties for pupils with or
// without a case, refused actions with the reason, any start date the calendar covers.

const csv = (...lines: string[]) => Readable.from([lines.join('\n')]);
const HEADER = 'upn,forename,surname,date_of_birth,year_group,vulnerability,on_roll';

/** Marks for each school day from `from` to `to`: the code for the day from `code`. */
function register(workflowId: string, upns: string[], from: string, to: string, code: (upn: string, date: string) => string) {
  const calendar = calendarFor(getWorkflow(workflowId));
  const rows = ['upn,date,session,code'];
  for (let date = from; date <= to; date = addDays(date, 1))
    if (calendar.isSchoolDay(date)) for (const upn of upns) for (const session of ['AM', 'PM']) rows.push(`${upn},${date},${session},${code(upn, date)}`);
  return rows;
}

async function run(workflowId: string, pupils: string[], marks: string[], actions: StaffAction[], from: string, to: string) {
  const workflow = getWorkflow(workflowId);
  return simulate({
    workflow,
    calendar: calendarFor(workflow),
    pupils: await readPupils(csv(HEADER, ...pupils)),
    marks: await readMarks(csv(...marks)),
    parents: {},
    actions,
    from,
    to,
  });
}

const tasksOf = (story: StoryLine[], upn: string) => story.flatMap((line) => (line.line === 'task' && line.upn === upn ? [`${line.date} ${line.task}`] : []));

describe('simulator story', () => {
  it('when a RED learner with no case is away a day, then the first-day contact and the face-to-face visit print as task lines (seed 003: "All families will be contacted by the provision on the first day of absence")', async () => {
    const red = 'A331400112201';
    const marks = register('leading-futures', [red], '2024-09-02', '2024-10-04', (_, date) => (date === '2024-10-03' ? 'I' : '/'));
    const { story, lines } = await run('leading-futures', [`${red},R,R,2012-01-01,7,red,yes`], marks, [], '2024-09-02', '2024-10-04');
    expect(lines).toEqual([]);
    expect(tasksOf(story, red)).toEqual(['2024-10-03 firstDayContact', '2024-10-03 faceToFaceContact']);
    const line = story.find((candidate) => candidate.line === 'task');
    expect(line).toMatchObject({ caseId: null, due: '2024-10-03' });
  });

  it('when N marks stay unresolved five school days, then the register task prints for a pupil with no case', async () => {
    const pupil = 'A331400112202';
    const marks = register('west-coventry', [pupil], '2024-09-02', '2024-09-20', (_, date) => (date === '2024-09-04' ? 'N' : '/'));
    const { story } = await run('west-coventry', [`${pupil},N,N,2012-01-01,7,,yes`], marks, [], '2024-09-02', '2024-09-20');
    expect(tasksOf(story, pupil)).toContain('2024-09-11 unresolved-n-code');
  });

  it('when ten school days pass with N marks and no word from the family, then the child-missing-education task prints (seed 004: "does not attend the school for 10 school days")', async () => {
    const pupil = 'A331400112203';
    const marks = register('dsat', [pupil], '2024-09-02', '2024-09-27', (_, date) => (date >= '2024-09-16' ? 'N' : '/'));
    const { story } = await run('dsat', [`${pupil},C,C,2012-01-01,7,,yes`], marks, [], '2024-09-02', '2024-09-27');
    expect(tasksOf(story, pupil)).toContain('2024-09-27 child-missing-education');
  });

  it('when an action names a pupil with no case, or one the case cannot take now, then a refused line says why and the run goes on', async () => {
    const [quiet, absent] = ['A331400112204', 'A331400112205'];
    const marks = register('west-coventry', [quiet, absent], '2024-09-02', '2024-10-18', (upn, date) => (upn === absent && date === '2024-09-05' ? 'O' : '/'));
    const actions: StaffAction[] = [
      { date: '2024-09-10', upn: quiet, action: 'MEETING_HELD', detail: '' },
      { date: '2024-09-20', upn: absent, action: 'NTI_ISSUED', detail: '' },
    ];
    const { story } = await run('west-coventry', [`${quiet},Q,Q,2012-01-01,7,,yes`, `${absent},U,U,2012-01-01,7,,yes`], marks, actions, '2024-09-02', '2024-10-18');
    const refused = story.filter((line) => line.line === 'refused');
    expect(refused).toEqual([
      { line: 'refused', date: '2024-09-10', upn: quiet, caseId: null, refused: 'MEETING_HELD', state: 'no case', why: 'the pupil has no case' },
      {
        line: 'refused',
        date: '2024-09-20',
        upn: absent,
        caseId: `west-coventry/${absent}`,
        refused: 'NTI_ISSUED',
        state: 'open.stage1a',
        why: 'the case is at open.stage1a, which does not take NTI_ISSUED',
      },
    ]);
    // Story after the refusals: the case's review four weeks on.
    expect(story.some((line) => line.line === 'transition' && line.date === '2024-10-14')).toBe(true);
  });

  it('when a third penalty notice is recorded within 3 years, then a refused line gives the rule', async () => {
    const pupil = 'A331400112206';
    // Unauthorised holidays: the national threshold three times over, each one considered.
    const away = (date: string) => (date >= '2024-09-09' && date <= '2024-09-20') || (date >= '2024-09-30' && date <= '2024-10-04');
    const marks = register('west-coventry', [pupil], '2024-09-02', '2024-10-11', (_, date) => (away(date) ? 'G' : '/'));
    const workflow = getWorkflow('west-coventry');
    const act = (date: string, action: string, detail = '') => ({ date, upn: pupil, action, detail });
    const { story } = await simulate({
      workflow,
      calendar: calendarFor(workflow),
      pupils: await readPupils(csv(HEADER, `${pupil},P,P,2012-01-01,7,,yes`)),
      marks: await readMarks(csv(...marks)),
      parents: { [pupil]: [{ id: 'parent-1' }, { id: 'parent-2' }] },
      actions: [
        act('2024-09-23', 'CONSIDERATIONS_RECORDED', 'penaltyNotice'),
        act('2024-09-24', 'PENALTY_NOTICE_ISSUED', 'parent-1'),
        act('2024-09-25', 'PENALTY_PAID', 'parent-1'),
        act('2024-09-26', 'CONSIDERATIONS_RECORDED', 'penaltyNotice'),
        act('2024-09-27', 'PENALTY_NOTICE_ISSUED', 'parent-1'),
        act('2024-09-30', 'PENALTY_PAID', 'parent-1'),
        act('2024-10-07', 'CONSIDERATIONS_RECORDED', 'penaltyNotice'),
        act('2024-10-08', 'PENALTY_NOTICE_ISSUED', 'parent-1'),
      ],
      from: '2024-09-02',
      to: '2024-10-11',
    });
    const refused = story.filter((line) => line.line === 'refused');
    expect(refused).toEqual([
      expect.objectContaining({ date: '2024-10-08', refused: 'PENALTY_NOTICE_ISSUED', why: expect.stringMatching(/^2 penalty notices already issued to this parent for this child since 2024-09-24/) }),
    ]);
  });

  it('when --from is a June date the calendar covers, then the simulation runs (the calendar starts part way through that year)', async () => {
    const pupil = 'A331400112207';
    const marks = register('west-coventry', [pupil], '2024-06-03', '2024-07-12', (_, date) => (date >= '2024-07-01' ? 'O' : '/'));
    const { story, summary } = await run('west-coventry', [`${pupil},J,J,2012-01-01,7,,yes`], marks, [], '2024-06-03', '2024-07-12');
    expect(summary.from).toBe('2024-06-03');
    expect(story.some((line) => line.line === 'transition' && line.event === 'OPEN')).toBe(true);
  });

  it('when simulate --help runs, then it lists every action and the values each accepts; so does the README', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await runSimulate(['--help'])).toBe(0);
    const help = String(log.mock.calls[0]?.[0]);
    log.mockRestore();
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const { action } of STAFF_ACTIONS) {
      expect(help).toContain(action);
      expect(readme).toContain(`\`${action}\``);
    }
    for (const value of ['continueSupport', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution', 'RED|AMBER|GREEN', 'prosecute|withdraw', 'convicted|acquitted|withdrawn']) {
      expect(help).toContain(value);
      // Inside the README's table a | is written \|.
      expect(readme).toContain(value.replaceAll('|', '\\|'));
    }
  });
});
