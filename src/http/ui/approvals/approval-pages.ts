import type { Router } from 'express';
import { checkCsrf } from '../../auth/sessions.ts';
import { AppError } from '../../../errors.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { evidenceRows } from '../../../domain/evidence-words.ts';

interface ApprovalSummary {
  id: string;
  caseId: string;
  pupil: { upn: string; name: string; yearGroup: string };
  kind: string;
  legal: boolean;
  what: string;
  why: { event: string | null; rule: string | null; attendancePct: number | null };
  dueDate: string;
  deferredUntil: string | null;
  overdue: boolean;
  mayDecide: boolean;
}

interface ApprovalBatch {
  counts: { letters: number; legalSteps: number; overdue: number };
  approvals: ApprovalSummary[];
}

interface ApprovalDetail extends ApprovalSummary {
  evidence: unknown;
  decisions: { decision: string; by: string; at: string; reason?: string; until?: string }[];
  letters: { recipient: { key: string; name: string; role: string; email: string | null }; subject: string; text: string; edited: boolean }[];
}

interface Notice {
  kind: 'success' | 'problem' | 'conflict';
  title: string;
  message?: string;
  problems?: string[];
}

const problemsOf = (error: AppError) => ((error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []).map((p) => `${p.field}: ${p.message}`);

/** The form's fields as the decision the API takes; an edit only where the person changed the letter. */
function decisionFromForm(form: Record<string, string>, letters: ApprovalDetail['letters']) {
  if (form.decision === 'defer') return { decision: 'defer', reason: form.reason ?? '', until: form.until ?? '' };
  if (form.decision === 'reject') return { decision: 'reject', reason: form.reason ?? '' };
  const same = (a: string, b: string) => a.replace(/\r\n/g, '\n').trim() === b.replace(/\r\n/g, '\n').trim();
  const edits = letters
    .map((letter) => ({ recipient: letter.recipient.key, subject: form[`subject.${letter.recipient.key}`] ?? letter.subject, text: form[`text.${letter.recipient.key}`] ?? letter.text, letter }))
    .filter(({ subject, text, letter }) => !same(subject, letter.subject) || !same(text, letter.text))
    .map(({ recipient, subject, text }) => ({ recipient, subject, text }));
  return { decision: 'approve', ...(edits.length ? { edits } : {}) };
}

async function renderDetail({ api, render, req }: Page, id: string, notice: Notice | null, status = 200) {
  const detail = await api<ApprovalDetail>('get', '/api/approvals/:id', { params: { id } });
  await render('approval.njk', { title: `${detail.what}: ${detail.pupil.name}`, approval: detail, evidence: evidenceRows(detail.evidence), notice, form: req.method === 'POST' ? req.body : {} }, status);
}

export function approvalPages(router: Router, deps: PageDeps): void {
  router.get(
    '/approvals',
    page(deps, async ({ req, api, render }) => {
      const batch = await api<ApprovalBatch>('get', '/api/approvals');
      const approved = Number(req.query.approved);
      const refused = Number(req.query.refused);
      const decided = String(req.query.decided ?? '');
      let notice: Notice | null = null;
      if (Number.isInteger(approved) && req.query.approved !== undefined) {
        notice = { kind: refused > 0 ? 'conflict' : 'success', title: `${approved} approved${refused > 0 ? `, ${refused} not` : ''}`, message: refused > 0 ? 'Those not approved are still in the list: open one to see why.' : 'They are in the outbox and go out with the next delivery.' };
      } else if (['approve', 'defer', 'reject'].includes(decided)) {
        notice = { kind: 'success', title: { approve: 'Approved: it goes out with the next delivery', defer: 'Deferred: it waits until the date you gave', reject: 'Rejected: it will not be sent' }[decided]! };
      }
      await render('approvals.njk', { title: 'Approvals', batch, notice });
    }),
  );

  router.post(
    '/approvals/batch',
    page(deps, async ({ req, res, signedIn, api }) => {
      checkCsrf(req, signedIn.session);
      const chosen = (req.body as { ids?: string | string[] }).ids;
      const ids = [chosen ?? []].flat();
      if (ids.length === 0) throw new AppError(400, 'invalid_request', 'Choose at least one letter to approve.');
      const result = await api<{ approved: number; results: unknown[] }>('post', '/api/approval-batches', { body: { ids } });
      res.redirect(303, `/approvals?approved=${result.approved}&refused=${result.results.length - result.approved}`);
    }),
  );

  router.get(
    '/approvals/:id',
    page(deps, async (current) => renderDetail(current, String(current.req.params.id), null)),
  );

  router.post(
    '/approvals/:id/decision',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      const form = req.body as Record<string, string>;
      try {
        const { letters } = await api<ApprovalDetail>('get', '/api/approvals/:id', { params: { id } });
        await api('post', '/api/approvals/:id/decision', { params: { id }, body: decisionFromForm(form, letters) });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        const problems = problemsOf(error);
        return renderDetail(current, id, { kind: error.status === 409 ? 'conflict' : 'problem', title: error.status === 409 ? 'This was decided meanwhile' : 'There is a problem', message: problems.length ? undefined : error.message, problems }, error.status);
      }
      res.redirect(303, `/approvals?decided=${encodeURIComponent(form.decision ?? '')}`);
    }),
  );
}
