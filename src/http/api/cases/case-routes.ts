import type { Request } from 'express';
import { z } from 'zod';
import { requireAction, visibleCase } from '../../../access/scope.ts';
import { AppError } from '../../../errors.ts';
import { route, type AnyRoute } from '../route.ts';
import { todayOf, type ApiDeps } from '../deps.ts';
import { caseDetail, caseSummary, withActorNames } from './case-view.ts';
import { staffActionSchema, toCaseEvent } from './staff-events.ts';
import { schoolMachineFor } from '../../../cases/case-machines.ts';
import { isLegalStep } from '../../../cases/legal-steps.ts';
import { recordMeeting } from '../../../cases/meeting-record.ts';
import { compareDates } from '../../../domain/dates.ts';
import { approveLegalRequestsOfStep } from '../../../approvals/approvals.ts';
import { workQueue, workQueueQuery } from './work-queue.ts';

export const caseParams = z.object({ id: z.string().min(1).max(100) });

/** The version a write was decided on, from `If-Match: "7"` (the ETag of the case read). */
function ifMatchVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new AppError(400, 'invalid_request', 'If-Match must be the ETag of the case, e.g. "7"');
  return Number(match[1]);
}

export const etagOf = (version: number) => `"${version}"`;

export function caseRoutes(deps: ApiDeps): AnyRoute[] {
  const { store, cases } = deps;
  return [
    route({
      method: 'get',
      path: '/api/cases',
      tag: 'cases',
      summary: 'The work queue: the cases you can see, filtered and paged',
      query: workQueueQuery,
      responses: { 200: 'a page of cases', 404: 'a school you cannot see' },
      async handle({ query, caller }) {
        const me = caller();
        const page = await workQueue(deps, await me.access(), query);
        await me.audit('cases.list', { schoolId: query.school ?? null }, { shown: page.cases.map((row) => row.id) });
        return page;
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:id',
      tag: 'cases',
      summary: 'A case: pupil, metrics, state, the actions allowed now, tasks and letters',
      params: caseParams,
      responses: { 200: 'the case (ETag: its version)', 404: 'no case you can see' },
      async handle({ params, res, caller }) {
        const me = caller();
        const access = await me.access();
        const record = visibleCase(access, await store.getCase(params.id), params.id);
        await me.audit('case.read', { schoolId: record.schoolId, caseId: record.id, upn: record.upn });
        res.set('ETag', etagOf(record.version));
        return caseDetail(deps, access, record);
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:id/timeline',
      tag: 'cases',
      summary: 'Who did what to a case, when and why (each entry with its author’s name)',
      params: caseParams,
      responses: { 200: 'the timeline, oldest first', 404: 'no case you can see' },
      async handle({ params, caller }) {
        const me = caller();
        const record = visibleCase(await me.access(), await store.getCase(params.id), params.id);
        await me.audit('case.timeline', { schoolId: record.schoolId, caseId: record.id, upn: record.upn });
        return { caseId: record.id, entries: await withActorNames(store, await store.listTimeline(record.id)) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:id/events',
      tag: 'cases',
      summary: 'Record a staff action on a case (If-Match or expectedVersion required)',
      params: caseParams,
      body: staffActionSchema,
      responses: {
        200: 'the action was applied',
        403: 'your role may not take this action (legal steps need the senior attendance champion)',
        404: 'no case you can see',
        409: 'the case changed since you read it, or it does not accept this action now',
        428: 'no If-Match header or expectedVersion',
      },
      async handle({ params, body, req, res, caller }) {
        const me = caller();
        const access = await me.access();
        const record = visibleCase(access, await store.getCase(params.id), params.id);
        const school = await store.getSchool(record.schoolId);
        const legal = body.type !== 'NOTE' && school !== null && isLegalStep(await schoolMachineFor(store, school), record, toCaseEvent(body, todayOf(deps), me.user.id));
        requireAction(access, legal, body.type === 'CASE_WITHDRAWN');
        const expectedVersion = ifMatchVersion(req) ?? body.expectedVersion;
        if (expectedVersion === undefined) {
          throw new AppError(428, 'version_required', 'send the version you read (If-Match header or expectedVersion), so a change made meanwhile is not overwritten');
        }
        const target = { schoolId: record.schoolId, caseId: record.id, upn: record.upn };
        const today = todayOf(deps);
        if (body.type === 'NOTE') {
          if (body.on !== undefined && compareDates(body.on, today) > 0) {
            throw new AppError(400, 'invalid_request', 'a note cannot be about a day in the future', { problems: [{ in: 'body', field: 'on', message: 'a note cannot be about a day in the future' }] });
          }
          await cases.addNote(record.id, { text: body.text, category: body.category, on: body.on ?? today }, { actor: me.user.id, expectedVersion });
          await me.audit('case.note', target, { category: body.category });
          res.set('ETag', etagOf(record.version));
          return { case: caseSummary(record), from: record.state, to: record.state, effects: [] };
        }
        if (body.type === 'MEETING_RECORDED' && school) {
          const recorded = await recordMeeting(deps, await schoolMachineFor(store, school), record, body, { actor: me.user.id, expectedVersion, today });
          const { outcome } = recorded;
          await me.audit('case.event', target, { event: body.parentPresent ? 'MEETING_HELD' : 'PARENT_DID_NOT_ATTEND', from: outcome.from, to: outcome.to });
          res.set('ETag', etagOf(outcome.case.version));
          return { case: caseSummary(outcome.case), from: outcome.from, to: outcome.to, effects: outcome.effects.map((effect) => effect.type), meeting: recorded.meeting, tasksClosed: recorded.tasksClosed, tasksSet: recorded.tasksSet };
        }
        const outcome = await cases.send(record.id, toCaseEvent(body, today, me.user.id), { actor: me.user.id, expectedVersion });
        await me.audit('case.event', target, { event: body.type, from: outcome.from, to: outcome.to });
        // The champion's legal step is also their approval of the requests it sets off: one decision, not two.
        const approved = legal ? await approveLegalRequestsOfStep(deps, record.id, outcome.case.version, me.user, body.type) : [];
        for (const effect of approved) await me.audit('approval.decide', target, { effectId: effect.id, decision: 'approve', approvedWith: body.type });
        res.set('ETag', etagOf(outcome.case.version));
        return { case: caseSummary(outcome.case), from: outcome.from, to: outcome.to, effects: outcome.effects.map((effect) => effect.type) };
      },
    }),
  ];
}
