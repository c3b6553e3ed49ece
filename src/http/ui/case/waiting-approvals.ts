// What on a case waits for a person's approval, said where staff look first: what it is, whose
// decision it is (the role and the people in it at the school), since when, and a link to decide.
import { ROLE_NAMES } from '../../../access/roles.ts';
import type { Access } from '../../../access/scope.ts';
import { listWaitingApprovals } from '../../../approvals/waiting.ts';
import type { IsoDate } from '../../../domain/types.ts';
import type { CaseRecord, Store, User } from '../../../store/types.ts';
import { templateName } from '../../../domain/words.ts';

/** Who decides each kind of approval (approvals/waiting.ts mayDecide): the school's staff, or its champion. */
const DECIDERS = { staff: ['pastoral', 'champion'], champion: ['champion'] } as const;

export interface WaitingApproval {
  href: string;
  what: string;
  legal: boolean;
  whose: string;
  people: string[];
  heldAt: Date;
  dueDate: IsoDate;
  overdue: boolean;
  mayDecide: boolean;
}

export async function waitingOnCase(store: Store, access: Access, record: Pick<CaseRecord, 'id' | 'schoolId'>, staff: User[], today: IsoDate): Promise<WaitingApproval[]> {
  const waiting = await listWaitingApprovals(store, access, { schoolIds: [record.schoolId], caseId: record.id }, today);
  return waiting.map((approval) => {
    const requires = approval.legal ? 'champion' : 'staff';
    const roles: readonly string[] = DECIDERS[requires];
    return {
      href: `/approvals/${encodeURIComponent(approval.id)}`,
      // A letter by its name ("Letter B to the parents"); a legal step as the gate names it.
      what: approval.legal ? approval.what.replace(/^legal step: /, '') : `${templateName(approval.template)} to the ${approval.to === 'parents' ? 'parents and carers' : approval.to}`,
      legal: approval.legal,
      whose: requires === 'champion' ? ROLE_NAMES.champion : `${ROLE_NAMES.pastoral} or ${ROLE_NAMES.champion.toLowerCase()}`,
      people: staff.filter((user) => roles.includes(user.role)).map((user) => user.name).sort(),
      heldAt: approval.heldAt,
      dueDate: approval.dueDate,
      overdue: approval.overdue,
      mayDecide: approval.mayDecide,
    };
  });
}
