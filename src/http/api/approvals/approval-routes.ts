import { z } from 'zod';
import { canSeeCase, notFound, requireSchoolStaff, type Access } from '../../../access/scope.ts';
import { decideApproval, previewEffect, type DecisionInput } from '../../../approvals/approvals.ts';
import { listWaitingApprovals, listWithdrawnLetters, summariseApproval } from '../../../approvals/waiting.ts';
import { schoolMachineFor } from '../../../cases/case-machines.ts';
import type { CaseRecord, OutboxEffect, Store } from '../../../store/types.ts';
import { AppError } from '../../../errors.ts';
import { route, type AnyRoute, type Caller } from '../route.ts';
import { todayOf, type ApiDeps } from '../deps.ts';

const isoDate = z.iso.date();
const effectParams = z.object({ id: z.string().min(1).max(200) });
const reason = z.string().trim().min(3, 'say why, in a few words').max(2000);

const listQuery = z.object({
  school: z.string().min(1).max(100).optional(),
  case: z.string().min(1).max(100).optional(),
});

const editSchema = z.object({
  recipient: z.string().min(1).max(100),
  subject: z.string().trim().min(1).max(300),
  text: z.string().trim().min(1).max(50_000),
});

export const decisionSchema = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), edits: z.array(editSchema).max(20).optional() }),
  z.object({ decision: z.literal('defer'), reason, until: isoDate }),
  z.object({ decision: z.literal('reject'), reason }),
]);

const batchSchema = z.object({ ids: z.array(z.string().min(1).max(200)).min(1).max(200) });

/** One approval as the batch shows it, read for itself. */
async function summarise(deps: ApiDeps, access: Access, effect: OutboxEffect, record: CaseRecord) {
  const school = (await deps.store.getSchool(record.schoolId))!;
  const pupil = await deps.store.getPupil(record.schoolId, record.upn);
  return summariseApproval(access, effect, record, await schoolMachineFor(deps.store, school), pupil, todayOf(deps));
}

/** The held effect and its case, when the caller may see the case; otherwise the same 404 as none. */
async function heldEffect(store: Store, access: Access, id: string): Promise<{ effect: OutboxEffect; record: CaseRecord }> {
  const effect = await store.getEffect(id);
  if (!effect?.caseId || !effect.approval) throw notFound(`approval '${id}'`);
  const record = await store.getCase(effect.caseId);
  if (!record || !canSeeCase(access, record)) throw notFound(`approval '${id}'`);
  return { effect, record };
}

async function decide(deps: ApiDeps, me: Caller, access: Access, id: string, input: DecisionInput, batch = false) {
  const { effect, record } = await heldEffect(deps.store, access, id);
  requireSchoolStaff(access, record.schoolId);
  // A batch approves letters; a legal step is read and decided on its own evidence.
  if (batch && effect.approval?.requires === 'champion') throw new AppError(409, 'legal_step', 'legal steps are approved one at a time');
  const decided = await decideApproval({ store: deps.store, clock: deps.clock }, effect, input, me.user);
  await me.audit('approval.decide', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, { effectId: id, decision: input.decision });
  return decided;
}

export function approvalRoutes(deps: ApiDeps): AnyRoute[] {
  const { store } = deps;
  return [
    route({
      method: 'get',
      path: '/api/approvals',
      tag: 'approvals',
      summary: 'Letters and legal steps waiting for approval, with the reasons, oldest first',
      query: listQuery,
      responses: { 200: 'the batch, with counts of letters, legal steps and overdue ones', 404: 'a school or case you cannot see' },
      async handle({ query, caller }) {
        const me = caller();
        const access = await me.access();
        if (query.school && !access.caseSchoolIds.includes(query.school)) throw notFound(`school '${query.school}'`);
        const schoolIds = query.school ? [query.school] : access.caseSchoolIds;
        const items = await listWaitingApprovals(store, access, { schoolIds, ...(query.case ? { caseId: query.case } : {}) }, todayOf(deps));
        await me.audit('approvals.list', { schoolId: query.school ?? null, caseId: query.case ?? null }, { shown: items.map((item) => item.id) });
        return {
          counts: { letters: items.filter((i) => i.kind === 'sendLetter' && !i.legal).length, legalSteps: items.filter((i) => i.legal).length, overdue: items.filter((i) => i.overdue).length },
          approvals: items,
          withdrawn: query.case ? [] : await listWithdrawnLetters(store, access, schoolIds, deps.clock.now()),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/approvals/:id',
      tag: 'approvals',
      summary: 'One approval: the evidence behind it, its decisions so far, and a preview of each letter as it would go',
      params: effectParams,
      responses: { 200: 'the approval with previews', 404: 'no approval you can see' },
      async handle({ params, caller }) {
        const me = caller();
        const access = await me.access();
        const { effect, record } = await heldEffect(store, access, params.id);
        await me.audit('approval.read', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, { effectId: effect.id });
        return {
          ...(await summarise(deps, access, effect, record)),
          status: effect.status,
          evidence: effect.approval!.evidence,
          decisions: effect.approval!.decisions,
          edits: effect.approval!.edits,
          letters: await previewEffect(store, effect, todayOf(deps)),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/approvals/:id/decision',
      tag: 'approvals',
      summary: 'Approve (optionally with edited letters), defer with a reason and date, or reject with a reason',
      params: effectParams,
      body: decisionSchema,
      responses: {
        200: 'the decision was recorded',
        403: 'your role may not decide this (legal steps need the senior attendance champion)',
        404: 'no approval you can see',
        409: 'it was decided already (or cancelled)',
      },
      async handle({ params, body, caller }) {
        const me = caller();
        const decided = await decide(deps, me, await me.access(), params.id, body);
        return { id: decided.id, status: decided.status, approval: decided.approval };
      },
    }),
    route({
      method: 'post',
      path: '/api/approval-batches',
      tag: 'approvals',
      summary: 'Approve several letters at once, unchanged; each is decided on its own (legal steps are approved one at a time)',
      body: batchSchema,
      responses: { 200: 'what happened to each: approved, or why not' },
      async handle({ body, caller }) {
        const me = caller();
        const access = await me.access();
        const results = [];
        for (const id of body.ids) {
          try {
            const decided = await decide(deps, me, access, id, { decision: 'approve' }, true);
            results.push({ id, status: decided.status });
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            results.push({ id, status: 'refused', error: { status: error.status, code: error.code, message: error.message } });
          }
        }
        return { approved: results.filter((r) => r.status === 'pending').length, results };
      },
    }),
  ];
}
