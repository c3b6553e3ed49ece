import type { Router } from 'express';
import { z } from 'zod';
import { describeDuration, type Policy } from '../../../domain/policy.ts';
import { parentsOf } from '../../../domain/pupil-flags.ts';
import { isoDateSchema } from '../../../register/rows.ts';
import { simulate } from '../../../simulator/simulate.ts';
import type { School } from '../../../store/types.ts';
import { getWorkflow } from '../../../../workflows/index.ts';
import { calendarForSchool } from '../../../calendars/school-calendars.ts';
import { todayOf } from '../../api/deps.ts';
import { stateLabel } from '../labels.ts';
import { page, type PageDeps } from '../page-context.ts';
import { bandFrom, templateName, words } from '../../../domain/words.ts';

const whatIfQuery = z.object({
  pupil: z.string().regex(/^[^/]+\/[A-Z0-9]+$/).optional().catch(undefined),
  from: isoDateSchema.optional().catch(undefined),
  to: isoDateSchema.optional().catch(undefined),
});

/** The policy's stages with their letters, meetings, reviews and notifications in words. */
function stagesOf(policy: Policy) {
  return policy.stages.map((stage) => ({
    name: stage.name,
    letter: stage.letter ? templateName(stage.letter) : null,
    meeting: stage.meeting ? `${stage.meeting.name}, within ${describeDuration(stage.meeting.dueIn)}${stage.meeting.escalateIfNotAttended ? '; escalates if the parent does not attend' : ''}` : null,
    review: describeDuration(stage.review),
    notify: stage.notify.map((notification) => `${words(notification.to).toLowerCase()} (${templateName(notification.template)})`),
    tasks: stage.tasks.map((task) => `${task.title} (within ${describeDuration(task.dueIn)})`),
    entersWhen: stage.entersWhen ? ('pctBelow' in stage.entersWhen ? `below ${stage.entersWhen.pctBelow}%` : `${stage.entersWhen.pctAtOrBelow}% or under`) : null,
  }));
}

export function workflowPages(router: Router, deps: PageDeps): void {
  router.get(
    '/workflows',
    page(deps, async ({ render, api, access }) => {
      const { workflows } = await api<{ workflows: { id: string; name: string; version: number }[] }>('get', '/api/workflows');
      const schools = (await Promise.all((await access()).caseSchoolIds.map((id) => deps.store.getSchool(id)))).filter((school): school is School => school !== null);
      await render('workflows.njk', {
        title: 'Workflows',
        workflows: workflows.map((workflow) => ({ ...workflow, schools: schools.filter((school) => school.workflowId === workflow.id).map((school) => school.name) })),
      });
    }),
  );

  router.get(
    '/workflows/:id',
    page(deps, async ({ req, render, api, access }) => {
      const workflow = await api<{ id: string; version: number; policy: Policy; diagram: string; overview: string }>('get', '/api/workflows/:id', { params: { id: String(req.params.id) } });
      const me = await access();
      // The what-if panel reads a pupil's register: only schools the caller sees whole, running this workflow.
      const schools = (await Promise.all([...me.wholeSchoolIds].map((id) => deps.store.getSchool(id)))).filter((school): school is School => school?.workflowId === workflow.id);
      const pupils = (await Promise.all(schools.map(async (school) => (await deps.store.listPupils(school.id)).map((pupil) => ({ value: `${school.id}/${pupil.upn}`, label: `${pupil.forename} ${pupil.surname} (${school.name}, Y${pupil.yearGroup})` }))))).flat();
      // The page lists the names of every pupil of those schools: seeing it is a read of them.
      await deps.audit(me.user.id, 'workflow.read', {}, { workflow: workflow.id, pupilsListed: pupils.length, schools: schools.map((school) => school.id) });
      const query = whatIfQuery.parse(req.query);
      const today = todayOf(deps);
      let whatIf = null;
      const [schoolId, upn] = query.pupil?.split('/') ?? [];
      const school = schools.find((candidate) => candidate.id === schoolId);
      if (school && upn) {
        const pupil = await deps.store.getPupil(school.id, upn);
        if (pupil) {
          const calendar = await calendarForSchool(deps.store, school);
          const from = query.from ?? calendar.academicYearStart(today);
          const to = query.to ?? today;
          const marks = await deps.store.listMarks(school.id, upn, { from: calendar.rollingWindowStart(from, 10), to });
          const contacts = await deps.store.listContacts(school.id, upn);
          const result = simulate({
            workflow: getWorkflow(workflow.id),
            calendar,
            pupils: [{ upn, vulnerability: pupil.vulnerability, onRoll: pupil.onRoll }],
            parents: { [upn]: parentsOf(contacts) },
            marks,
            actions: [],
            from,
            to,
          });
          await deps.audit(me.user.id, 'workflow.whatIf', { schoolId: school.id, upn }, { workflow: workflow.id, from, to });
          whatIf = {
            pupil: `${pupil.forename} ${pupil.surname}`,
            from,
            to,
            lines: result.lines.map((line) => ({ ...line, fromLabel: stateLabel(workflow.id, line.from), toLabel: stateLabel(workflow.id, line.to), effects: line.effects.map((effect) => words(effect.type).toLowerCase()).join(', ') })),
            summary: result.summary,
          };
        }
      }
      await render('workflow.njk', {
        title: workflow.policy.name,
        workflow,
        stages: stagesOf(workflow.policy),
        timings: [
          ['Reviewed', `${workflow.policy.evaluation.cadence}${workflow.policy.evaluation.period ? `, over ${describeDuration(workflow.policy.evaluation.period)}` : ''}`],
          ['Target attendance', `${workflow.policy.targetPct}%`],
          ['Bands', workflow.policy.bands.map((band) => `${words(band.name).toLowerCase()} ${bandFrom(band.minPct)}`).join(', ')],
          ['Considerations recorded within', describeDuration(workflow.policy.considerations.dueIn)],
          [workflow.policy.noticeToImprove.name, `improvement period ${describeDuration(workflow.policy.noticeToImprove.improvementPeriod)}`],
          [workflow.policy.attendanceContract.name, `reviewed every ${describeDuration(workflow.policy.attendanceContract.review)}`],
          ['Education Supervision Order', `${describeDuration(workflow.policy.educationSupervisionOrder.initial)}, extended by ${describeDuration(workflow.policy.educationSupervisionOrder.extension)} up to ${describeDuration(workflow.policy.educationSupervisionOrder.maximum)}`],
          ['Sickness absence', `the LA is told after ${workflow.policy.sicknessReturn.schoolDays} school days`],
        ],
        pupils,
        query,
        whatIf,
      });
    }),
  );
}
