import { z } from 'zod';
import { canSeeCase, notFound, requireAction } from '../../../access/scope.ts';
import { completeTask } from '../../../cases/register-duties.ts';
import { AppError } from '../../../errors.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';

const taskParams = z.object({ id: z.string().min(1).max(300) });
const completion = z.object({ note: z.string().trim().max(2000).optional() });

export function taskRoutes(deps: ApiDeps): AnyRoute[] {
  const { store } = deps;
  return [
    route({
      method: 'post',
      path: '/api/tasks/:id/complete',
      tag: 'cases',
      summary: 'Mark a task done, with an optional note; it is recorded on the case timeline',
      params: taskParams,
      body: completion,
      responses: {
        200: 'the task, done',
        403: 'your role can read the case but not act on it',
        404: 'no task you can see',
        409: 'the task is already done or cancelled',
      },
      async handle({ params, body, caller }) {
        const me = caller();
        const access = await me.access();
        const task = await store.getTask(params.id);
        const record = task?.caseId ? await store.getCase(task.caseId) : null;
        // A task on a case is as visible as its case (an EWO's referred ones too); a school's own task, to its staff.
        const visible = task && (task.caseId ? record !== null && canSeeCase(access, record) : access.wholeSchoolIds.has(task.schoolId));
        if (!visible) throw notFound(`task '${params.id}'`);
        requireAction(access, false);
        if (task.status !== 'open') throw new AppError(409, 'task_closed', `this task is already ${task.status}`);
        const done = await completeTask(store, task.id, me.user.id, deps.clock.now(), body.note || undefined);
        if (!done) throw new AppError(409, 'task_closed', 'someone closed this task while you were looking at it: reload');
        await me.audit('task.complete', { schoolId: task.schoolId, caseId: task.caseId, upn: record?.upn ?? null }, { taskId: task.id });
        return done;
      },
    }),
  ];
}
