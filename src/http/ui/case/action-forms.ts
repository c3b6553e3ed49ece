import { CONSIDERATIONS } from '../../../domain/penalty-notices.ts';
import type { AllowedAction } from '../../api/cases/allowed-actions.ts';
import { STAFF_ACTION_LABELS } from '../labels.ts';
import { words } from '../views.ts';

const TEXT_FIELDS = ['parentId', 'decision', 'reason', 'rating', 'outcome', 'text'] as const;

/**
 * A posted action form as the API's staff-action body: the API's schema validates it, so the
 * page only reshapes flat form fields (considerations as `support.answer=yes`).
 */
export function actionFromForm(form: Record<string, string | undefined>): Record<string, unknown> {
  const action: Record<string, unknown> = { type: form.type, expectedVersion: Number(form.expectedVersion) };
  for (const field of TEXT_FIELDS) if (form[field]) action[field] = form[field];
  if (form.improvementPeriod) action.improvementPeriod = Number(form.improvementPeriod);
  if (form.type === 'CONSIDERATIONS_RECORDED') {
    const answer = (value: string | undefined) => (value === 'yes' ? true : value === 'no' ? false : undefined);
    action.considerations = Object.fromEntries(CONSIDERATIONS.map(({ id }) => [id, { answer: answer(form[`${id}.answer`]), rationale: form[`${id}.rationale`] ?? '' }]));
  }
  return action;
}

/** What the case page offers for each action the API allows now. */
export function actionForms(allowed: readonly AllowedAction[], parents: readonly { id: string; name?: string }[]) {
  const parentName = (id: string) => parents.find((parent) => parent.id === id)?.name ?? id;
  return allowed.map((action) => ({
    ...action,
    label: STAFF_ACTION_LABELS[action.type] ?? words(action.type),
    parents: (action.parentIds ?? []).map((id) => ({ value: id, label: parentName(id) })),
    decisions: (action.decisions ?? []).map((decision) => ({ value: decision, label: words(decision) })),
  }));
}

export const considerationQuestions = CONSIDERATIONS;

/** A validation problem's field path in words, for the error summary. */
export function fieldLabel(field: string): string {
  const [first, second] = field.split('.');
  const question = CONSIDERATIONS.find(({ id }) => id === first);
  if (question) return `${question.question} (${second === 'answer' ? 'yes or no' : 'reason'})`;
  if (first === 'considerations' && second) return fieldLabel(field.split('.').slice(1).join('.'));
  return words(first ?? 'form');
}
