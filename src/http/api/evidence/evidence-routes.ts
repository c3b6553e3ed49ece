import type { Response } from 'express';
import { z } from 'zod';
import { requireSchoolStaff, visibleCase } from '../../../access/scope.ts';
import type { AuditRecorder } from '../../../access/audit.ts';
import { buildEvidencePack } from '../../../evidence/pack.ts';
import { checkLink, evidenceLink, LINK_LIFETIME_MS, type EvidenceLinkSettings } from '../../../evidence/signed-link.ts';
import { LEGAL_STEP_ROLES } from '../../../access/roles.ts';
import { requireRole } from '../../../access/scope.ts';
import { AppError } from '../../../errors.ts';
import { route, type AnyRoute } from '../route.ts';
import { todayOf, type ApiDeps } from '../deps.ts';

const caseParams = z.object({ id: z.string().min(1).max(100) });
const messageParams = z.object({ id: z.string().min(1).max(400) });
const linkQuery = z.object({ expires: z.coerce.number().int().positive(), sig: z.string().min(1).max(200) });

export interface EvidenceDeps extends ApiDeps {
  links: EvidenceLinkSettings;
  audit: AuditRecorder;
  /** Wall-clock time: a link's expiry is real time, whatever the demo clock says. */
  now: () => Date;
}

/** Where a case's "links made before this instant no longer open" is kept (a service-wide setting: every process reads it). */
export const revokedKey = (caseId: string) => `evidence-links-revoked:${caseId}`;

/** Why a link that is signed right no longer opens the pack (or a notification): the case closed, or the champion withdrew its links. */
async function linkEnded(store: ApiDeps['store'], record: { id: string; status: string }, expires: number): Promise<'closed' | 'revoked' | null> {
  if (record.status === 'closed') return 'closed';
  const revokedAt = await store.getSetting(revokedKey(record.id));
  // A link is made LINK_LIFETIME_MS before it expires: those made at or before the withdrawal end.
  return typeof revokedAt === 'string' && expires - LINK_LIFETIME_MS <= Date.parse(revokedAt) ? 'revoked' : null;
}

function sendFile(res: Response, body: Buffer, type: string, name: string, disposition: 'attachment' | 'inline' = 'attachment') {
  res.set('Content-Type', type).set('Content-Disposition', `${disposition}; filename="${name}"`).send(body);
}

/** The penalty-notice request evidence pack: for the school's staff, and by a signed, expiring link for the LA; and a notification by the link its email carries. */
export function evidenceRoutes(deps: EvidenceDeps): AnyRoute[] {
  const { store } = deps;
  const pack = (caseId: string) => buildEvidencePack(store, caseId, todayOf(deps), deps.now());
  return [
    ...(['pdf', 'zip'] as const).map((format) =>
      route({
        method: 'get',
        path: `/api/cases/:id/evidence-pack.${format}`,
        tag: 'evidence',
        summary: format === 'pdf' ? 'The penalty-notice request evidence pack as one PDF' : 'The evidence pack’s parts in a zip: the PDF, CSVs and the letters as sent',
        params: caseParams,
        responses: { 200: `the pack (${format})`, 404: 'no case you can see' },
        async handle({ params, res, caller }) {
          const me = caller();
          const access = await me.access();
          const record = visibleCase(access, await store.getCase(params.id), params.id);
          requireSchoolStaff(access, record.schoolId);
          const built = await pack(record.id);
          await me.audit('evidence.export', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, { format });
          sendFile(res, format === 'pdf' ? built.pdf : built.zip, format === 'pdf' ? 'application/pdf' : 'application/zip', `${built.fileName}.${format}`);
        },
      }),
    ),
    route({
      method: 'post',
      path: '/api/cases/:id/evidence-links',
      tag: 'evidence',
      summary: 'A signed link to the evidence pack for the LA, valid 7 days; every use is audited',
      params: caseParams,
      responses: { 200: 'the link and when it expires', 404: 'no case you can see' },
      async handle({ params, caller }) {
        const me = caller();
        const access = await me.access();
        const record = visibleCase(access, await store.getCase(params.id), params.id);
        requireSchoolStaff(access, record.schoolId);
        const link = await evidenceLink(deps.links, record.id, deps.now());
        await me.audit('evidence.link', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, { expires: link.expiresAt.toISOString() });
        return link;
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:id/evidence-links/revoke',
      tag: 'evidence',
      summary: 'Withdraw every evidence-pack link made so far for this case (the senior attendance champion)',
      params: caseParams,
      responses: { 200: 'when the links were withdrawn', 403: 'only the senior attendance champion withdraws links', 404: 'no case you can see' },
      async handle({ params, caller }) {
        const me = caller();
        const access = await me.access();
        const record = visibleCase(access, await store.getCase(params.id), params.id);
        requireSchoolStaff(access, record.schoolId);
        requireRole(access, LEGAL_STEP_ROLES);
        const revokedAt = deps.now();
        await store.putSetting(revokedKey(record.id), revokedAt.toISOString());
        await me.audit('evidence.link.revoke', { schoolId: record.schoolId, caseId: record.id, upn: record.upn }, {});
        return { revokedAt };
      },
    }),
    route({
      method: 'get',
      path: '/api/evidence-links/:id/evidence-pack.pdf',
      tag: 'evidence',
      summary: 'The evidence pack by a signed link (no sign-in): refused when forged or expired, audited either way',
      public: true,
      params: caseParams,
      query: linkQuery,
      responses: { 200: 'the pack (pdf)', 404: 'a forged link', 410: 'an expired link, or one withdrawn by the school, or its case closed' },
      async handle({ params, query, req, res }) {
        const signed = checkLink(await deps.links.secret(), params.id, query.expires, query.sig, deps.now());
        const record = signed === 'forged' ? null : await store.getCase(params.id);
        const check = signed === 'valid' && record ? ((await linkEnded(store, record, query.expires)) ?? signed) : signed;
        await deps.audit('link:evidence-pack', `evidence.link.${check}`, { schoolId: record?.schoolId ?? null, caseId: record?.id ?? null, upn: record?.upn ?? null }, { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 200) ?? null });
        if (check === 'forged' || !record) throw new AppError(404, 'not_found', 'no such evidence pack');
        if (check === 'expired') throw new AppError(410, 'link_expired', 'this link has expired: ask the school for a new one');
        if (check === 'closed') throw new AppError(410, 'link_ended', 'the school has closed this case, so this link no longer opens the evidence pack');
        if (check === 'revoked') throw new AppError(410, 'link_ended', 'the school has withdrawn this link: ask the school if you still need the evidence pack');
        const built = await pack(record.id);
        sendFile(res, built.pdf, 'application/pdf', `${built.fileName}.pdf`);
      },
    }),
    route({
      method: 'get',
      path: '/api/message-links/:id/notification.pdf',
      tag: 'evidence',
      summary: 'A notification to a professional by the signed link its email carries (no sign-in; the email itself names no pupil): refused when forged or expired, audited either way',
      public: true,
      params: messageParams,
      query: linkQuery,
      responses: { 200: 'the notification as the school wrote it (pdf)', 404: 'a forged link', 410: 'an expired link, or one withdrawn by the school, or its case closed' },
      async handle({ params, query, req, res }) {
        const signed = checkLink(await deps.links.secret(), params.id, query.expires, query.sig, deps.now(), 'message');
        const message = signed === 'forged' ? null : await store.getMessage(params.id);
        const record = message?.kind === 'notification' && message.caseId ? await store.getCase(message.caseId) : null;
        const check = signed === 'valid' && record ? ((await linkEnded(store, record, query.expires)) ?? signed) : signed;
        const who = { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 200) ?? null };
        await deps.audit('link:notification', `notification.link.${check}`, { schoolId: record?.schoolId ?? null, caseId: record?.id ?? null, upn: record?.upn ?? null }, record ? { ...who, template: message!.template, recipient: message!.recipientRole } : who);
        if (check === 'forged' || !record || !message?.pdf) throw new AppError(404, 'not_found', 'no such notification');
        if (check === 'expired') throw new AppError(410, 'link_expired', 'this link has expired: ask the school to send the notification again, quoting the case reference');
        if (check === 'closed') throw new AppError(410, 'link_ended', 'the school has closed this case, so this link no longer opens the notification');
        if (check === 'revoked') throw new AppError(410, 'link_ended', 'the school has withdrawn this link: ask the school if you still need the notification');
        sendFile(res, message.pdf, 'application/pdf', `${message.template.replace(/[^a-z0-9-]/gi, '-')}.pdf`, 'inline');
      },
    }),
  ];
}
