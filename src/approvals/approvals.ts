import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { londonDate } from '../domain/london-time.ts';
import { schoolMachineFor, type SchoolMachine } from '../cases/case-machines.ts';
import type { IsoDate } from '../domain/types.ts';
import { addDuration } from '../domain/policy-durations.ts';
import { AppError } from '../errors.ts';
import { addressTo, assembleLetterData, loadLetterSource, wordingFor, type Addressee, type LetterSource } from '../letters/letter-data.ts';
import { notificationAddressees, parentAddressees } from '../letters/recipients.ts';
import { renderMessage } from '../letters/render.ts';
import { recipientSchema } from '../domain/policy.ts';
import type { ApprovalEdit, EffectDecision, OutboxEffect, Store, User } from '../store/types.ts';
import { editedMessage } from './edits.ts';

/** The task that makes an overdue approval someone's job; closed when the approval is decided. */
export const overdueTaskId = (effectId: string) => `approval-overdue:${effectId}`;
/** Tasks have one assignee string; an overdue approval is the school's champions' to chase. */
export const CHAMPION_ASSIGNEE = 'role:champion';

export interface PreviewLetter {
  recipient: Pick<Addressee, 'role' | 'name' | 'relationship' | 'email' | 'address' | 'key'>;
  subject: string;
  text: string;
  html: string;
  /** True when a person's edit replaces the template's letter for this addressee. */
  edited: boolean;
}

interface EffectParams {
  caseId: string;
  template: string;
  to: string;
}

const paramsOf = (effect: OutboxEffect) => effect.payload as EffectParams;

/** Who a letter or notification of this effect goes to, as the mail handlers will address it. */
function addresseesOf(effect: OutboxEffect, source: LetterSource): Addressee[] {
  const params = paramsOf(effect);
  if (effect.kind === 'sendLetter') return parentAddressees(source.contacts);
  const to = recipientSchema.safeParse(params.to);
  return to.success ? notificationAddressees(to.data, source.school, source.contacts) : [];
}

/** The letters as they would go now, one per addressee, with any approved edit in place. */
export async function previewEffect(store: Store, effect: OutboxEffect, today: IsoDate): Promise<PreviewLetter[]> {
  const params = paramsOf(effect);
  const source = await loadLetterSource(store, params.caseId, today);
  const data = assembleLetterData(source);
  const edits = new Map((effect.approval?.edits ?? []).map((edit) => [edit.recipient, edit]));
  return addresseesOf(effect, source).map((to) => {
    const edit = edits.get(to.key);
    const rendered = edit ? editedMessage(edit) : renderMessage(params.template, addressTo(data, to), wordingFor(source, params.template));
    return { recipient: { role: to.role, name: to.name, relationship: to.relationship, email: to.email, address: to.address, key: to.key }, ...rendered, edited: Boolean(edit) };
  });
}

export type DecisionInput =
  | { decision: 'approve'; edits?: { recipient: string; subject: string; text: string }[] }
  | { decision: 'defer'; reason: string; until: IsoDate }
  | { decision: 'reject'; reason: string };

/**
 * A person's decision on a held letter or legal step. Legal steps need the senior attendance
 * champion. Edits are kept with the template's original for the same addressee, so the timeline
 * shows what was changed.
 */
export async function decideApproval(
  deps: { store: Store; clock: Clock },
  effect: OutboxEffect,
  input: DecisionInput,
  user: Pick<User, 'id' | 'role'>,
  /** The staff action on the case this approval was given with, when it was not given on its own. */
  givenWith?: string,
) {
  const { store, clock } = deps;
  if (effect.status !== 'held' || !effect.approval) throw new AppError(409, 'not_held', `this ${effect.kind} is not waiting for approval (it is ${effect.status})`);
  if (effect.approval.requires === 'champion' && user.role !== 'champion' && user.role !== 'admin') {
    throw new AppError(403, 'forbidden', 'a legal step needs the senior attendance champion');
  }
  const at = clock.now();
  let decision: EffectDecision;
  if (input.decision === 'approve') {
    let edits: ApprovalEdit[] = [];
    if (input.edits && input.edits.length > 0) {
      const originals = new Map((await previewEffect(store, { ...effect, approval: { ...effect.approval, edits: [] } }, londonDate(at))).map((letter) => [letter.recipient.key, letter]));
      edits = input.edits.map((edit) => {
        const original = originals.get(edit.recipient);
        if (!original) throw new AppError(400, 'unknown_recipient', `no addressee '${edit.recipient}' for this ${effect.kind}`);
        return { ...edit, original: { subject: original.subject, text: original.text } };
      });
    }
    decision = { decision: 'approve', by: user.id, at, edits };
  } else {
    decision = { ...input, by: user.id, at };
  }
  const params = paramsOf(effect);
  const decided = await store.decideEffect(effect.id, decision, {
    id: randomUUID(),
    at,
    actor: user.id,
    type: `approval.${input.decision}`,
    from: null,
    to: null,
    evidence: {
      effectId: effect.id,
      kind: effect.kind,
      template: params.template,
      what: effect.approval.reason,
      ...(givenWith ? { approvedWith: givenWith } : {}),
      ...(input.decision === 'approve' ? { edited: decision.decision === 'approve' && (decision.edits?.length ?? 0) > 0 } : { reason: input.reason }),
      ...(input.decision === 'defer' ? { until: input.until } : {}),
    },
  });
  if (!decided) throw new AppError(409, 'not_held', 'someone decided this while you were looking at it: reload');
  if (input.decision !== 'defer') await store.closeTask(overdueTaskId(effect.id), { status: 'done', by: user.id, at, note: `${input.decision}d` });
  return decided;
}

/**
 * The legal requests the champion's own legal step on a case sets off (the considerations
 * recorded with "Penalty notice": the request to the local authority) are approved by that step:
 * the person the gate waits for has just decided, so the request goes without a second approval.
 * Each is recorded as an approval given with the step, on the timeline like any other. Only the
 * effects of the commit that step made (that case version), and only those waiting for the
 * champion; a role that may not approve legal steps leaves them held. Returns the approved ones.
 */
export async function approveLegalRequestsOfStep(deps: { store: Store; clock: Clock }, caseId: string, version: number, user: Pick<User, 'id' | 'role'>, step: string): Promise<OutboxEffect[]> {
  if (user.role !== 'champion' && user.role !== 'admin') return [];
  const ofThisStep = (await deps.store.listEffects({ caseId, status: 'held' })).filter((effect) => effect.id.startsWith(`${caseId}:v${version}:`) && effect.approval?.requires === 'champion');
  const approved: OutboxEffect[] = [];
  for (const effect of ofThisStep) approved.push(await decideApproval(deps, effect, { decision: 'approve' }, user, step));
  return approved;
}

/** When a held effect becomes overdue: the school's time for a staff task after it was held, or the date it was deferred to. */
export function approvalDueDate(effect: OutboxEffect, schoolMachine: SchoolMachine): IsoDate {
  const heldOn = londonDate(effect.approval?.heldAt ?? effect.createdAt);
  const due = addDuration(heldOn, schoolMachine.workflow.policy.tasksDueIn, schoolMachine.calendar);
  const deferred = effect.approval?.deferredUntil;
  return deferred && deferred > due ? deferred : due;
}

/**
 * Held approvals past their due date become a task for the school's senior attendance champion:
 * a letter nobody approves is a letter a family never gets. One task per effect. The evening
 * evaluation passes the school's machine it has just read.
 */
export async function raiseOverdueApprovals(store: Store, schoolId: string, asOf: IsoDate, at: Date, known?: SchoolMachine): Promise<number> {
  let schoolMachine = known;
  if (!schoolMachine) {
    const school = await store.getSchool(schoolId);
    if (!school) return 0;
    schoolMachine = await schoolMachineFor(store, school);
  }
  let raised = 0;
  for (const effect of await store.listEffects({ status: 'held', schoolIds: [schoolId] })) {
    if (!effect.caseId || approvalDueDate(effect, schoolMachine) >= asOf) continue;
    const created = await store.createTask({
      id: overdueTaskId(effect.id),
      caseId: effect.caseId,
      schoolId,
      kind: 'approval-overdue',
      title: `Overdue approval: ${effect.approval?.reason ?? effect.kind}`,
      dueDate: asOf,
      createdAt: at,
      assignee: CHAMPION_ASSIGNEE,
    });
    if (created) raised += 1;
  }
  return raised;
}
