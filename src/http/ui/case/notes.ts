import { noteCategoryLabel, type NoteEvidence } from '../../../domain/casework-records.ts';
import { longDate } from '../../../domain/words.ts';

interface NoteEntry {
  at: Date | string;
  actorName?: string | null;
  evidence: unknown;
}

/**
 * A note as CPOMS users read it: "Phone call · 3 Dec 2025 · Priya Shah", then the text. A note
 * about a safeguarding concern referred elsewhere is flagged, so nobody takes it for the record.
 */
export function noteView(entry: NoteEntry, author: string | null = entry.actorName ?? null) {
  const note = (entry.evidence ?? {}) as Partial<NoteEvidence>;
  const heading = [noteCategoryLabel(note.category), longDate(note.on ?? entry.at), author ?? 'a former member of staff'].join(' · ');
  return { heading, text: note.text ?? '', safeguarding: note.category === 'safeguardingReferral', writtenAt: entry.at };
}
