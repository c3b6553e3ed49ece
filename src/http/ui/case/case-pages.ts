import type { Router } from 'express';
import { canSeeCase, mayAct, notFound } from '../../../access/scope.ts';
import { ASSIGNING_ROLES, LEGAL_STEP_ROLES, SCHOOL_STAFF_ROLES } from '../../../access/roles.ts';
import { schoolContext } from '../../../register/school-metrics.ts';
import { getWorkflow } from '../../../../workflows/index.ts';
import { todayOf } from '../../api/deps.ts';
import type { caseDetail } from '../../api/cases/case-view.ts';
import { checkCsrf } from '../../auth/sessions.ts';
import { AppError } from '../../../errors.ts';
import { stateLabel } from '../labels.ts';
import { STAFF_ACTION_LABELS } from '../../../domain/words.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { actionForms, actionFromForm, considerationQuestions, fieldLabel, MEETING_ACTION_ROWS } from './action-forms.ts';
import { noteView } from './notes.ts';
import { NOTE_CATEGORIES } from '../../../domain/casework-records.ts';
import { attendanceChartSvg } from './attendance-chart.ts';
import { attendanceWeeks } from './attendance-weeks.ts';
import { waitingOnCase } from './waiting-approvals.ts';
import { filterQuery, filterSummary, savedFilters } from '../queue/queue-filters.ts';
import { queueRows } from '../queue/queue-rows.ts';

export type CaseDetail = Awaited<ReturnType<typeof caseDetail>>;

const stageNames = (workflowId: string, { from, to }: { from?: string | null; to?: string | null }) => ({
  fromLabel: from ? stateLabel(workflowId, from) : null,
  toLabel: to ? stateLabel(workflowId, to) : null,
});

const CATEGORY_NAMES = { present: 'Present', approvedEducation: 'Approved education off site', authorised: 'Authorised absence', unauthorised: 'Unauthorised absence', notCounted: 'Not a possible session' };

interface Notice {
  kind: 'success' | 'conflict' | 'problem';
  title: string;
  message?: string;
  problems?: string[];
  /** A meeting recorded as not attended: the page says where the policy took the case. */
  missedMeeting?: boolean;
}

/**
 * The way back to the queue as the person left it (its filters in the link and in words), and
 * the case after this one in that same order.
 */
async function queueNavigation(deps: PageDeps, current: Page, id: string, today: string) {
  const filters = savedFilters(current.req);
  const query = filterQuery(filters);
  const { rows, pupilOf } = await queueRows(deps, current, filters, today);
  const index = rows.findIndex((row) => row.id === id);
  const next = index >= 0 ? rows[index + 1] : undefined;
  const nextPupil = next && pupilOf(next);
  return {
    backHref: query ? `/?${query}` : '/',
    applied: filterSummary(filters),
    position: index >= 0 ? { at: index + 1, of: rows.length } : null,
    next: next ? { href: `/cases/${encodeURIComponent(next.id)}`, name: nextPupil ? `${nextPupil.forename} ${nextPupil.surname}` : `UPN ${next.upn}` } : null,
  };
}

async function renderCase(deps: PageDeps, current: Page, id: string, notice: Notice | null, status = 200): Promise<void> {
  const { api, render, req, access } = current;
  const detail = await api<CaseDetail>('get', '/api/cases/:id', { params: { id } });
  const me = await access();
  const { store } = deps;
  const today = todayOf(deps);
  const context = await schoolContext(store, detail.case.schoolId);
  const from = detail.metrics.from;
  const weeks = attendanceWeeks(await store.listMarks(detail.case.schoolId, detail.case.upn, { from, to: today }), context.calendar, from, today);
  const policy = getWorkflow(detail.case.workflowId).policy;
  const timeline = await api<{ entries: { type: string; at: Date; actor: string; actorName: string | null; evidence: unknown }[] }>('get', '/api/cases/:id/timeline', { params: { id } });
  const assignment = await api<{ assignee: { id: string; name: string; active: boolean } | null; candidates: { id: string; name: string; roleName: string }[] }>('get', '/api/cases/:id/assignee', { params: { id } });
  const editing = req.method === 'POST' ? (req.body as Record<string, string>) : {};
  const stageLabel = stateLabel(detail.case.workflowId, detail.case.state);
  if (notice?.missedMeeting) {
    const last = detail.context.lastMeeting;
    notice.message = last && last.stage !== detail.context.stage
      ? `As the policy says for a missed meeting, the case has moved on: it is now at ${stageLabel}.`
      : `The policy keeps the case where it is for a missed meeting: it stays at ${stageLabel}.`;
  }
  // Who a meeting's actions can go to, and whose the case's tasks are: the school's active staff.
  const staff = await store.listUsers({ schoolId: detail.case.schoolId, active: true });
  const staffNames = new Map(staff.map((user) => [user.id, user.name]));
  const waiting = await waitingOnCase(store, me, detail.case, staff, today);
  const meetingAction = detail.allowedActions.find((action) => action.type === 'MEETING_RECORDED');
  await render(
    'case.njk',
    {
      title: detail.pupil ? `${detail.pupil.forename} ${detail.pupil.surname}` : `Case ${detail.case.upn}`,
      detail,
      stageLabel,
      notice,
      waiting,
      queue: await queueNavigation(deps, current, id, today),
      chart: attendanceChartSvg(weeks, policy.bands, policy.targetPct),
      weeks,
      categoryNames: CATEGORY_NAMES,
      actions: actionForms(detail.allowedActions, detail.context.parents),
      questions: considerationQuestions,
      editing,
      notes: timeline.entries.filter((entry) => entry.type === 'note').reverse().map((entry) => noteView(entry)),
      noteCategories: Object.entries(NOTE_CATEGORIES).map(([value, label]) => ({ value, label })),
      meetingStaff: staff.map((user) => ({ value: user.id, label: user.name })),
      meetingRows: MEETING_ACTION_ROWS,
      ifParentAbsent: meetingAction?.meeting?.ifParentAbsent ? stateLabel(detail.case.workflowId, meetingAction.meeting.ifParentAbsent) : null,
      stageMoves: meetingAction?.meeting?.ifParentAbsent ? meetingAction.meeting.ifParentAbsent !== detail.case.state : false,
      taskOwners: Object.fromEntries(detail.tasks.filter((task) => task.assignee && staffNames.has(task.assignee)).map((task) => [task.id, staffNames.get(task.assignee!)])),
      // Stages by the policy's names, never the machine's ("open.stage1b").
      recent: timeline.entries
        .slice(-5)
        .reverse()
        .map((entry) => ({ ...entry, ...stageNames(detail.case.workflowId, entry as { from?: string | null; to?: string | null }) })),
      openTasks: detail.tasks.filter((task) => task.status === 'open'),
      doneTasks: detail.tasks.filter((task) => task.status !== 'open'),
      mayCompleteTasks: mayAct(me),
      assignment,
      // The same rule as the assignment's API route.
      mayAssign: detail.case.status === 'open' && ASSIGNING_ROLES.includes(me.user.role),
      // The same rule as the pack's API route: the school's own staff.
      mayExportEvidence: me.wholeSchoolIds.has(detail.case.schoolId) && SCHOOL_STAFF_ROLES.includes(me.user.role),
      // The same rule as the withdrawal's API route: the senior attendance champion.
      mayRevokeLinks: me.wholeSchoolIds.has(detail.case.schoolId) && LEGAL_STEP_ROLES.includes(me.user.role),
      today,
    },
    status,
  );
}

export function casePages(router: Router, deps: PageDeps): void {
  router.get(
    '/cases/:id',
    page(deps, async (current) => {
      const done = String(current.req.query.done ?? '');
      const notices: Record<string, Notice> = {
        meeting: { kind: 'success', title: 'Meeting recorded: the meeting task is closed, and each action is a task for the person named' },
        'meeting-missed': { kind: 'success', title: 'Recorded: no parent or carer attended the meeting', missedMeeting: true },
        NOTE: { kind: 'success', title: 'Note saved: it is on the timeline' },
        task: { kind: 'success', title: 'Task done: it is on the timeline' },
        'links-withdrawn': { kind: 'success', title: 'Evidence pack links withdrawn: links sent so far no longer open the pack' },
        assigned: { kind: 'success', title: 'Assigned: it is on the timeline' },
      };
      const notice: Notice | null = Object.hasOwn(notices, done)
        ? { ...notices[done]! }
        : Object.hasOwn(STAFF_ACTION_LABELS, done)
          ? { kind: 'success', title: `Done: ${STAFF_ACTION_LABELS[done]}` }
          : null;
      await renderCase(deps, current, String(current.req.params.id), notice);
    }),
  );

  router.post(
    '/cases/:id/actions',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      const body = actionFromForm(req.body as Record<string, string>);
      try {
        await api('post', '/api/cases/:id/events', { params: { id }, body });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        if (error.code === 'version_conflict') {
          // Nothing was applied: show what the case is now, so the decision is made again on it.
          return renderCase(deps, current, id, { kind: 'conflict', title: 'This case changed since you opened it – here is the current state', message: 'Your action was not recorded. Check the case below and, if it is still right, do it again.' }, 409);
        }
        const problems = ((error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []).map((problem) => `${fieldLabel(problem.field)}: ${problem.message}`);
        return renderCase(deps, current, id, { kind: 'problem', title: 'There is a problem', message: problems.length ? undefined : error.message, problems }, error.status);
      }
      const done = body.type === 'MEETING_RECORDED' ? (body.parentPresent === false ? 'meeting-missed' : 'meeting') : String(body.type);
      res.redirect(303, `/cases/${encodeURIComponent(id)}?done=${encodeURIComponent(done)}`);
    }),
  );

  router.post(
    '/cases/:id/assign',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      const assignee = String((req.body as { assignee?: string }).assignee ?? '');
      try {
        await api('post', '/api/cases/:id/assignee', { params: { id }, body: { assignee: assignee === '' ? null : assignee } });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        return renderCase(deps, current, id, { kind: 'problem', title: 'The case was not assigned', message: error.message }, error.status);
      }
      res.redirect(303, `/cases/${encodeURIComponent(id)}?done=assigned`);
    }),
  );

  router.post(
    '/cases/:id/evidence-links/revoke',
    page(deps, async ({ req, res, signedIn, api }) => {
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      await api('post', '/api/cases/:id/evidence-links/revoke', { params: { id } });
      res.redirect(303, `/cases/${encodeURIComponent(id)}?done=links-withdrawn`);
    }),
  );

  router.post(
    '/cases/:id/tasks/:taskId/done',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      const note = String((req.body as { note?: string }).note ?? '').trim();
      try {
        await api('post', '/api/tasks/:id/complete', { params: { id: String(req.params.taskId) }, body: note ? { note } : {} });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        return renderCase(deps, current, id, { kind: error.status === 409 ? 'conflict' : 'problem', title: 'The task was not marked done', message: error.message }, error.status);
      }
      res.redirect(303, `/cases/${encodeURIComponent(id)}?done=task`);
    }),
  );

  router.get(
    '/letters/:id.pdf',
    page(deps, async ({ req, res, access, signedIn }) => {
      const message = await deps.store.getMessage(String(req.params.id));
      const record = message?.caseId ? await deps.store.getCase(message.caseId) : null;
      if (!message?.pdf || !record || !canSeeCase(await access(), record)) throw notFound('letter');
      await deps.audit(signedIn.user.id, 'letter.read', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, { messageId: message.id });
      res.set('Cache-Control', 'no-store').type('application/pdf').set('Content-Disposition', `inline; filename="${message.template.replace(/\W+/g, '-')}.pdf"`).send(message.pdf);
    }),
  );
}
