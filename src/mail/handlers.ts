import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { londonDate } from '../domain/london-time.ts';
import { recipientSchema } from '../domain/policy.ts';
import { PermanentEffectError, type EffectHandler } from '../cases/effect-handler.ts';
import { contactTask as parentContactTask, contactTaskId } from '../cases/register-duties.ts';
import type { Message, OutboxEffect, Store } from '../store/types.ts';
import { addressTo, assembleLetterData, loadLetterSource, wordingFor, type Addressee, type CaseLetterData, type LetterSource } from '../letters/letter-data.ts';
import type { Mailer } from './mailer.ts';
import { letterPdf } from '../letters/pdf-pool.ts';
import { envelopeLines, notificationAddressees, parentAddressees } from '../letters/recipients.ts';
import { caseReference, renderMessage, renderNotificationLink, subjectWithoutPupil, type RenderedMessage } from '../letters/render.ts';
import { editedMessage, withEvidenceLink } from '../approvals/edits.ts';
import { legalTemplates } from '../approvals/gate.ts';
import { evidenceLink, messageLink, type EvidenceLinkSettings } from '../evidence/signed-link.ts';

export interface MailDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  /**
   * An email to a professional carries a signed link to the notification (and a legal step's to
   * the evidence pack), never the pupil's details; the same key signs both kinds of link.
   */
  evidenceLinks: EvidenceLinkSettings;
  /** Wall-clock time for a link's expiry, whatever the demo clock says; tests inject one. */
  now?: () => Date;
}

const sendLetterSchema = z.object({ caseId: z.string().min(1), template: z.string().min(1), to: z.literal('parents') });
const notifySchema = z.object({ caseId: z.string().min(1), template: z.string().min(1), to: recipientSchema });

/** The Message-ID of a message id: stable across attempts, opaque (effect ids carry case ids). */
export function messageIdFor(id: string): string {
  return `<${createHash('sha256').update(id).digest('hex').slice(0, 40)}@attendance-escalation.invalid>`;
}

/** nodemailer marks 5xx replies (other than 503) permanent; anything else may pass if tried again. */
function isPermanentSmtp(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { permanent, responseCode } = error as { permanent?: unknown; responseCode?: unknown };
  if (typeof permanent === 'boolean') return permanent;
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode !== 503;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * The outbox handlers for letters and notifications. Each recipient's message is recorded under
 * an id derived from the effect id and the recipient before it is sent, and marked sent after:
 * a rerun skips what was sent, and resends (with the same Message-ID) only what may not have been.
 */
export function createMailEffectHandlers(deps: MailDeps): Record<'sendLetter' | 'notify', EffectHandler> {
  const { store, clock, logger, mailer } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * An address to fix: the effect itself succeeds (the letter is printed for posting, or, with no
   * postal address either, not made). A parent's is the case's one task for that contact, the
   * same the evaluation raises, so however many letters go there is one; a mailbox's is one per
   * case and mailbox.
   */
  async function contactTask(source: LetterSource, to: Addressee, kind: Message['kind'], mailboxTitle = '') {
    const where = { caseId: source.caseId, schoolId: source.school.id };
    const today = londonDate(clock.now());
    const pupilName = `${source.pupil.forename} ${source.pupil.surname}`;
    const task =
      kind === 'letter'
        ? parentContactTask(pupilName, to, where, today, clock.now())
        : { ...where, id: contactTaskId(source.caseId, to.key, Boolean(to.address)), kind: 'contact-details', title: mailboxTitle, dueDate: today, createdAt: clock.now() };
    await store.createTask(task);
  }

  /**
   * The email a notification leaves the school as: which school, what it is, the case reference and
   * a signed, expiring link to the notification itself (its PDF, kept with the message). Letters
   * to parents go as they are: they are the child's own parents.
   */
  async function notificationEmail(id: string, source: LetterSource, subject: string, to: Addressee, evidence: CaseLetterData['evidenceLink']): Promise<RenderedMessage> {
    const link = await messageLink(deps.evidenceLinks, id, now());
    return renderNotificationLink({
      subject,
      school: { name: source.school.name },
      recipient: { name: to.name },
      reference: caseReference(source.caseId),
      today: londonDate(clock.now()),
      link: { url: link.url, expiresOn: londonDate(link.expiresAt) },
      evidenceLink: evidence,
    });
  }

  async function load(effect: OutboxEffect, caseId: string) {
    const source = { ...(await loadLetterSource(store, caseId, londonDate(clock.now()))), effectId: effect.id };
    return { source, data: assembleLetterData(source) };
  }

  /** One message to one addressee; returns once it is sent, or kept for posting. */
  async function deliver(effect: OutboxEffect, source: LetterSource, base: CaseLetterData, template: string, kind: Message['kind'], to: Addressee) {
    const id = `${effect.id}/${to.role}/${to.key}`;
    const edit = effect.approval?.edits.find((e) => e.recipient === to.key);
    // An approved edit is what the person signed off: it is sent instead of the template's letter.
    const data = addressTo(base, to);
    const written = edit ? editedMessage(withEvidenceLink(edit, base.evidenceLink)) : renderMessage(template, data, wordingFor(source, template));
    // A person's edited subject is kept from naming the pupil as the template's is.
    const rendered = edit && kind === 'notification' ? { ...written, subject: subjectWithoutPupil(written.subject, data) } : written;
    let message = await store.getMessage(id);
    if (!message && kind === 'letter' && !to.email && !to.address) {
      // A letter that must be posted, to no address: it is not made, so nothing says it went.
      await contactTask(source, to, kind);
      return;
    }
    if (!message) {
      const envelope = kind === 'letter' ? envelopeLines(to) : null;
      const pdf = await letterPdf(rendered.html, { title: rendered.subject, author: source.school.name }, { envelope });
      await store.createMessage({
        id,
        effectId: effect.id,
        caseId: source.caseId,
        schoolId: source.school.id,
        template,
        kind,
        recipientRole: to.role,
        recipientName: to.name,
        recipientEmail: to.email,
        subject: rendered.subject,
        messageId: messageIdFor(id),
        status: to.email ? 'pending' : 'printOnly',
        pdf,
        createdAt: clock.now(),
      });
      message = await store.getMessage(id);
    }
    if (!message || message.status === 'sent') return;
    if (message.status === 'printOnly' || !message.recipientEmail) {
      const what = kind === 'letter' ? 'post the printed letter and' : 'send the notification by hand and';
      await contactTask(source, to, kind, `No usable email address for ${to.name} (${to.relationship}): ${what} update their contact details`);
      return;
    }
    const pdfName = `${slug(template)}-${slug(source.pupil.surname)}-${slug(to.name)}.pdf`;
    const email = kind === 'notification' ? await notificationEmail(id, source, message.subject, to, base.evidenceLink) : rendered;
    try {
      const { raw } = await mailer.send({
        messageId: message.messageId,
        from: source.school.notifyEmails?.office ? `"${source.school.name}" <${source.school.notifyEmails.office}>` : mailer.from,
        to: message.recipientEmail,
        subject: message.subject,
        html: email.html,
        text: email.text,
        // A notification's PDF holds the pupil's details: it stays behind its link.
        attachments: kind === 'letter' && message.pdf ? [{ filename: pdfName, content: message.pdf, contentType: 'application/pdf' }] : [],
      });
      await store.updateMessage(id, { status: 'sent', at: clock.now(), transport: mailer.transport, raw });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!isPermanentSmtp(error)) {
        await store.updateMessage(id, { status: 'pending', at: clock.now(), error: reason });
        throw new Error(`sending ${template} to ${to.role} failed for now: ${reason}`, { cause: error });
      }
      await store.updateMessage(id, { status: 'failed', at: clock.now(), error: reason });
      // The dispatcher raises the staff task for a failed effect, with this message as its title.
      throw new PermanentEffectError(`the mail server refused ${template} to ${to.name} (check the address, then post or resend it): ${reason}`);
    }
    logger.info({ effectId: effect.id, messageId: message.messageId, template, role: to.role }, 'message sent');
  }

  /** Everyone in turn: one refusal does not stop the others, and is reported after them. */
  async function deliverAll(effect: OutboxEffect, source: LetterSource, data: CaseLetterData, template: string, kind: Message['kind'], to: Addressee[]) {
    let refusal: unknown = null;
    for (const addressee of to) {
      try {
        await deliver(effect, source, data, template, kind, addressee);
      } catch (error) {
        if (!(error instanceof PermanentEffectError)) throw error;
        refusal ??= error;
      }
    }
    if (refusal) throw refusal;
  }

  return {
    async sendLetter(effect) {
      const params = sendLetterSchema.parse(effect.payload);
      const { source, data } = await load(effect, params.caseId);
      const parents = parentAddressees(source.contacts);
      if (parents.length === 0) throw new PermanentEffectError(`no parent or carer with parental responsibility is recorded, so ${params.template} could not be addressed`);
      await deliverAll(effect, source, data, params.template, 'letter', parents);
    },

    async notify(effect) {
      const params = notifySchema.parse(effect.payload);
      const { source, data } = await load(effect, params.caseId);
      const addressees = notificationAddressees(params.to, source.school, source.contacts);
      if (addressees.length === 0) throw new PermanentEffectError(`no ${params.to} is recorded for this pupil, so ${params.template} could not be sent`);
      const legalStep = legalTemplates(source.policy).has(params.template);
      const link = legalStep ? await evidenceLink(deps.evidenceLinks, params.caseId, now()) : null;
      const withLink = link ? { ...data, evidenceLink: { url: link.url, expiresOn: londonDate(link.expiresAt) } } : data;
      await deliverAll(effect, source, withLink, params.template, 'notification', addressees);
      if (addressees.every((addressee) => !addressee.email)) throw new PermanentEffectError(`no usable address for ${params.to}: ${params.template} was not sent`);
    },
  };
}
