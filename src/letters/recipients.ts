import { z } from 'zod';
import type { Recipient } from '../domain/policy.ts';
import type { Contact, School } from '../store/types.ts';
import { contactKey, type Addressee } from './letter-data.ts';

const emailSchema = z.email();

/** The address when it is one a server would take; null when it is missing or malformed. */
export function usableEmail(email: string | null | undefined): string | null {
  const trimmed = email?.trim() ?? '';
  return trimmed && emailSchema.safeParse(trimmed).success ? trimmed : null;
}

const fromContact = (role: Addressee['role']) => (contact: Contact): Addressee => ({
  role,
  name: contact.name,
  relationship: contact.relationship,
  email: usableEmail(contact.email),
  address: contact.address ?? null,
  key: contactKey(contact),
});

/** What shows through an envelope's window: the name, then the address as Royal Mail reads it. Null without an address. */
export function envelopeLines(to: Pick<Addressee, 'name' | 'address'>): string[] | null {
  return to.address ? [to.name, ...to.address.lines, to.address.town, to.address.postcode] : null;
}

/** Every parent or carer with parental responsibility: each gets their own letter. */
export function parentAddressees(contacts: Contact[]): Addressee[] {
  return contacts.filter((contact) => contact.parentalResponsibility).map(fromContact('parent'));
}

const MAILBOX_NAMES = {
  ewo: 'Education Welfare Officer',
  la: 'Local authority attendance team',
  homeSchool: 'Home school attendance lead',
} as const;

const isSocialWorker = (contact: Contact) => /social worker|yot|youth offending/i.test(contact.relationship);
const isHomeSchool = (contact: Contact) => /home school/i.test(contact.relationship);

function mailbox(school: School, role: keyof typeof MAILBOX_NAMES, fallback?: keyof typeof MAILBOX_NAMES): Addressee {
  const email = school.notifyEmails?.[role] ?? (fallback ? school.notifyEmails?.[fallback] : undefined);
  return { role, name: MAILBOX_NAMES[role], relationship: role, email: usableEmail(email), address: null, key: role };
}

/**
 * Who a notification goes to. A pupil's own contacts come first (their social or YOT worker, the
 * home school that placed them); the school's mailboxes cover the rest. An EWO-less school's
 * referrals go to the LA attendance team.
 */
export function notificationAddressees(to: Recipient, school: School, contacts: Contact[]): Addressee[] {
  switch (to) {
    case 'socialWorker':
      return contacts.filter(isSocialWorker).map(fromContact('socialWorker'));
    case 'homeSchool': {
      const own = contacts.filter(isHomeSchool).map(fromContact('homeSchool'));
      return own.length > 0 ? own : [mailbox(school, 'homeSchool')];
    }
    case 'ewo':
      return [mailbox(school, 'ewo', 'la')];
    case 'la':
      return [mailbox(school, 'la')];
  }
}
