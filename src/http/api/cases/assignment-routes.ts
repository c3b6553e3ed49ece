// Who a case is assigned to: a named member of the school's staff, or nobody. A staff action on
// the case's timeline, not a step of its workflow: no machine runs.
import { z } from 'zod';
import { ASSIGNABLE_ROLES, ASSIGNING_ROLES, ROLE_NAMES } from '../../../access/roles.ts';
import { requireRole, visibleCase } from '../../../access/scope.ts';
import { AppError } from '../../../errors.ts';
import type { Store } from '../../../store/types.ts';
import type { Clock } from '../../../clock.ts';
import { route, type AnyRoute } from '../route.ts';

const params = z.object({ id: z.string().min(1).max(100) });

/** The school's active pastoral leaders and champions, by name. */
export async function assignableStaff(store: Store, schoolId: string) {
  const users = await store.listUsers({ schoolId, active: true });
  return users.filter((user) => ASSIGNABLE_ROLES.includes(user.role)).map((user) => ({ id: user.id, name: user.name, roleName: ROLE_NAMES[user.role] }));
}

/** The case's assignee as a page shows them (a deactivated one still by name). */
export async function assigneeOf(store: Store, caseId: string) {
  const [found] = await store.listCaseAssignees([caseId]);
  if (!found) return null;
  const user = await store.getUser(found.userId);
  return { id: found.userId, name: user?.name ?? 'a former member of staff', active: user?.active ?? false };
}

export function assignmentRoutes(deps: { store: Store; clock: Clock }): AnyRoute[] {
  const { store } = deps;
  return [
    route({
      method: 'get',
      path: '/api/cases/:id/assignee',
      tag: 'cases',
      summary: 'Who the case is assigned to, and who it can be assigned to (the school’s active pastoral leaders and champions)',
      params,
      responses: { 200: 'the assignee (or null) and the choices', 404: 'no such case, or not one you can see' },
      async handle({ params, caller }) {
        const record = visibleCase(await caller().access(), await store.getCase(params.id), params.id);
        return { assignee: await assigneeOf(store, record.id), candidates: await assignableStaff(store, record.schoolId) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:id/assignee',
      tag: 'cases',
      summary: 'Assign the case to a named member of the school’s staff (null: nobody); recorded on the case’s timeline',
      params,
      body: z.object({ assignee: z.string().min(1).max(100).nullable() }),
      responses: { 200: 'assigned', 403: 'your role does not assign cases', 404: 'no such case, or not one you can see', 409: 'the case is closed', 422: 'not one of the school’s active staff' },
      async handle({ params, body, caller }) {
        const me = caller();
        const access = await me.access();
        const record = visibleCase(access, await store.getCase(params.id), params.id);
        requireRole(access, ASSIGNING_ROLES);
        if (record.status !== 'open') throw new AppError(409, 'case_closed', 'a closed case is not assigned to anyone new');
        if (body.assignee !== null && !(await assignableStaff(store, record.schoolId)).some((user) => user.id === body.assignee)) {
          throw new AppError(422, 'not_assignable', 'a case goes to one of the school’s active pastoral leaders or champions');
        }
        const changed = await store.assignCases({ caseIds: [record.id], to: body.assignee, actor: me.user.id, at: deps.clock.now() });
        if (changed.length > 0) await me.audit('case.assign', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, { assignee: body.assignee });
        return { assignee: await assigneeOf(store, record.id) };
      },
    }),
  ];
}
