// What the family has actually been sent, from the record of messages, never from the case's own
// idea of when a stage began: a letter can wait days for approval, and a letter that says "our
// letter of 12 January" must mean the one that went on that day.
import { londonDate } from '../domain/london-time.ts';
import type { CaseContext } from '../domain/case-types.ts';
import type { IsoDate } from '../domain/types.ts';
import type { Message } from '../store/types.ts';

export interface SentLetter {
  template: string;
  /** The day it was emailed, or printed for posting (London date). */
  sentOn: IsoDate;
  /** Attendance when the stage that wrote it began, if the case recorded it for this letter. */
  attendancePct: number | null;
}

/** A letter to a parent that went: emailed (sent), or made for posting (printOnly). Pending and failed ones did not. */
/** What these need of a message: never its bodies (the email as sent, the PDF). */
type Sent = Omit<Message, 'raw' | 'pdf'>;

const went = (message: Sent) => message.kind === 'letter' && (message.status === 'sent' || message.status === 'printOnly');
const sentAt = (message: Sent) => message.sentAt ?? message.createdAt;

/**
 * The stage's own letter and the day it went, or null for that day while it has not gone (held for
 * approval, or not made yet): a message written alongside it says "we sent" only once it was.
 */
export function stageLetter(messages: readonly Sent[], template: string | undefined): { template: string; sentOn: IsoDate | null } | null {
  if (!template) return null;
  const sent = messages.filter((message) => went(message) && message.template === template).map(sentAt);
  const latest = sent.reduce<Date | null>((a, b) => (!a || b > a ? b : a), null);
  return { template, sentOn: latest ? londonDate(latest) : null };
}

/** The last letter that went to the family, leaving out the effect being written now; null when none has. */
export function lastLetterSent(messages: readonly Sent[], context: Partial<CaseContext>, exceptEffectId?: string): SentLetter | null {
  const last = messages
    .filter((message) => went(message) && message.effectId !== exceptEffectId)
    .reduce<Sent | null>((latest, message) => (!latest || sentAt(message) > sentAt(latest) ? message : latest), null);
  if (!last) return null;
  const recorded = context.lastLetter?.template === last.template ? context.lastLetter.attendancePct : null;
  return { template: last.template, sentOn: londonDate(sentAt(last)), attendancePct: recorded ?? null };
}
