import { CONSIDERATIONS, type Considerations } from '../../domain/penalty-notices.ts';
import { words } from './views.ts';

/** A stored name in words: `penaltyNotice` → "Penalty notice", `CONSIDERATIONS_RECORDED` → "Considerations recorded". */
function nameInWords(name: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return words(name);
  const spaced = name.replace(/_/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The five considerations as the champion answered them: each question, Yes or No, and why. */
function considerationsInWords(value: Partial<Considerations>): string {
  return CONSIDERATIONS.filter(({ id }) => value[id])
    .map(({ id, question }) => `${question} ${value[id]!.answer ? 'Yes' : 'No'}: ${value[id]!.rationale}`)
    .join(' ');
}

/**
 * A piece of a case event's evidence as a person reads it: never `[object Object]` nor JSON.
 * Names the service keeps (a decision, an event) are put in words; records are "label: value".
 */
export function evidenceInWords(key: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (key === 'considerations' && typeof value === 'object' && !Array.isArray(value)) return considerationsInWords(value as Partial<Considerations>);
  if (typeof value === 'string') return key === 'decision' || key === 'event' || key === 'approvedWith' ? nameInWords(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value);
  if (Array.isArray(value)) return value.map((item) => evidenceInWords(key, item)).join('; ');
  return Object.entries(value as Record<string, unknown>)
    .filter(([, inner]) => inner !== null && inner !== undefined)
    .map(([innerKey, inner]) => `${words(innerKey)}: ${evidenceInWords(innerKey, inner)}`)
    .join('; ');
}

/** Evidence as label and text rows, in words. */
export function evidenceRows(evidence: unknown): { label: string; value: string }[] {
  if (evidence === null || typeof evidence !== 'object') return evidence == null ? [] : [{ label: 'Detail', value: evidenceInWords('detail', evidence) }];
  return Object.entries(evidence as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => ({ label: words(key), value: evidenceInWords(key, value) }));
}
