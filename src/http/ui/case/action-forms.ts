import { CONSIDERATIONS } from '../../../domain/penalty-notices.ts';
import type { AllowedAction } from '../../api/cases/allowed-actions.ts';
import { STAFF_ACTION_LABELS, words } from '../../../domain/words.ts';

const TEXT_FIELDS = ['parentId', 'decision', 'reason', 'rating', 'outcome', 'text', 'category', 'on', 'date', 'attendees', 'agreed'] as const;

/** Rows for actions agreed at a meeting on the form; the API takes up to MAX_MEETING_ACTIONS. */
export const MEETING_ACTION_ROWS = [1, 2, 3, 4];

/**
 * A posted action form as the API's staff-action body: the API's schema validates it, so the
 * page only reshapes flat form fields (considerations as `support.answer=yes`).
 */
export function actionFromForm(form: Record<string, string | undefined>): Record<string, unknown> {
  const action: Record<string, unknown> = { type: form.type, expectedVersion: Number(form.expectedVersion) };
  for (const field of TEXT_FIELDS) if (form[field]) action[field] = form[field];
  if (form.improvementPeriod) action.improvementPeriod = Number(form.improvementPeriod);
  if (form.type === 'MEETING_RECORDED') {
    if (form.parentPresent === 'yes' || form.parentPresent === 'no') action.parentPresent = form.parentPresent === 'yes';
    // A row left empty is no action; a row half filled goes, so the API says what is missing.
    action.actions = MEETING_ACTION_ROWS.map((n) => ({ what: form[`action${n}.what`] ?? '', owner: form[`action${n}.owner`] ?? '', due: form[`action${n}.due`] ?? '' })).filter(
      (row) => row.what.trim() !== '' || row.owner !== '' || row.due !== '',
    );
  }
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

const FIELD_NAMES: Record<string, string> = {
  date: 'Date of the meeting',
  attendees: 'Who attended',
  parentPresent: 'Parent or carer present',
  agreed: 'What was agreed',
  actions: 'Actions',
  outcome: 'Outcome',
  text: 'Note',
  category: 'What the note is about',
  on: 'Date the note is about',
};

/** A validation problem's field path in words, for the error summary. */
export function fieldLabel(field: string): string {
  const [first, second] = field.split('.');
  const question = CONSIDERATIONS.find(({ id }) => id === first);
  if (question) return `${question.question} (${second === 'answer' ? 'yes or no' : 'reason'})`;
  if (first === 'considerations' && second) return fieldLabel(field.split('.').slice(1).join('.'));
  if (first === 'actions' && second !== undefined) {
    const part = field.split('.')[2];
    return `Action ${Number(second) + 1}${part ? ` (${({ what: 'what', owner: 'who', due: 'by when' } as Record<string, string>)[part] ?? part})` : ''}`;
  }
  return FIELD_NAMES[first ?? ''] ?? words(first ?? 'form');
}
