import type { Request, Router } from 'express';
import { checkCsrf } from '../../auth/sessions.ts';
import { AppError } from '../../../errors.ts';
import { MAX_LOGO_BYTES } from '../../../letters/logo.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { readFormUpload } from '../form-upload.ts';

interface LettersAnswer {
  school: { id: string; name: string };
  letterhead: { address: string[]; phone: string | null; web: string | null; hasLogo: boolean; signatoryName: string | null; signatoryRole: string | null } | null;
  letters: { template: string; kind: 'letter' | 'notification'; subject: string; own: boolean; updatedAt: string | null }[];
  mergeFields: { name: string; example: string }[];
  filters: string[];
}
interface WordingAnswer {
  template: string;
  subject: string;
  own: boolean;
  source: string;
  modelSource: string;
}

const DONE: Record<string, string> = {
  letterhead: 'The letterhead is saved: letters made from now on carry it.',
  saved: 'Your wording is saved: letters made from now on use it. Letters already sent keep what they said.',
  reset: 'This letter is back to the model wording.',
};
const doneNotice = (req: Request) => {
  const key = String(req.query.done ?? '');
  return Object.hasOwn(DONE, key) ? { kind: 'success', title: DONE[key] } : null;
};
const problemNotice = (error: AppError) => ({ kind: 'problem', title: 'There is a problem', message: error.message });

const logoTooLarge = () => new AppError(413, 'logo_too_large', `The logo is larger than ${MAX_LOGO_BYTES / 1024} KB. Save it smaller (a few hundred pixels wide is plenty) and upload that.`);

/** A template's place in the addresses: `/schools/s1/letters/west-coventry/letter-a`. */
const letterParams = (req: Request) => ({ id: String(req.params.id), workflow: String(req.params.workflow), name: String(req.params.name) });

/** The letterhead form's fields, as typed, for showing the form again. */
type LetterheadForm = { address: string; phone: string; web: string; signatoryName: string; signatoryRole: string };

async function renderLetters(current: Page, id: string, notice: unknown, status = 200, typed?: LetterheadForm) {
  const answer = await current.api<LettersAnswer>('get', '/api/schools/:id/letters', { params: { id } });
  const saved = answer.letterhead;
  const form: LetterheadForm = typed ?? {
    address: saved?.address.join('\n') ?? '',
    phone: saved?.phone ?? '',
    web: saved?.web ?? '',
    signatoryName: saved?.signatoryName ?? '',
    signatoryRole: saved?.signatoryRole ?? '',
  };
  await current.render('letters.njk', { title: `${answer.school.name}: letters`, ...answer, form, maxLogoKb: MAX_LOGO_BYTES / 1024, notice }, status);
}

async function renderEditor(current: Page, notice: unknown, status = 200, typed?: string) {
  const params = letterParams(current.req);
  const [letters, wording] = await Promise.all([
    current.api<LettersAnswer>('get', '/api/schools/:id/letters', { params: { id: params.id } }),
    current.api<WordingAnswer>('get', '/api/schools/:id/letters/:workflow/:name', { params }),
  ]);
  // The live preview draws the PDF in the page from a blob: URL; the site's policy allows frames from this origin only.
  const policy = current.res.getHeader('Content-Security-Policy');
  if (typeof policy === 'string') current.res.setHeader('Content-Security-Policy', `${policy};frame-src 'self' blob:`);
  await current.render(
    'letter-edit.njk',
    {
      title: `${letters.school.name}: ${wording.subject}`,
      school: letters.school,
      wording: { ...wording, source: typed ?? wording.source },
      base: `/schools/${encodeURIComponent(params.id)}/letters/${params.workflow}/${params.name}`,
      api: `/api/schools/${encodeURIComponent(params.id)}/letters/${params.workflow}/${params.name}`,
      mergeFields: letters.mergeFields,
      filters: letters.filters,
      notice,
    },
    status,
  );
}

/** The school's letters: letterhead and signatory, each letter's wording with its merge fields, and a PDF preview on a sample case. */
export function letterPages(router: Router, deps: PageDeps): void {
  router.get(
    '/schools/:id/letters',
    page(deps, async (current) => renderLetters(current, String(current.req.params.id), doneNotice(current.req))),
  );

  router.post(
    '/schools/:id/letterhead',
    page(deps, async (current) => {
      const { req, signedIn, api, res } = current;
      const id = String(req.params.id);
      const upload = await readFormUpload(req, MAX_LOGO_BYTES, logoTooLarge);
      req.body = upload.fields;
      checkCsrf(req, signedIn.session);
      const form = upload.fields;
      const typed: LetterheadForm = { address: form.address ?? '', phone: form.phone ?? '', web: form.web ?? '', signatoryName: form.signatoryName ?? '', signatoryRole: form.signatoryRole ?? '' };
      const logo = upload.file && upload.file.bytes.length > 0 ? upload.file.bytes.toString('base64') : form.removeLogo === 'yes' ? null : undefined;
      try {
        await api('post', '/api/schools/:id/letterhead', {
          params: { id },
          body: {
            address: typed.address.split(/\r?\n/).map((line) => line.trim()).filter(Boolean),
            phone: typed.phone,
            web: typed.web,
            signatoryName: typed.signatoryName,
            signatoryRole: typed.signatoryRole,
            ...(logo === undefined ? {} : { logo }),
          },
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 403 || error.status === 404) throw error;
        const problems = (error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? [];
        const notice = problems.length ? { kind: 'problem', title: 'There is a problem', problems: problems.map((p) => `${p.field}: ${p.message}`) } : problemNotice(error);
        return renderLetters(current, id, notice, error.status, typed);
      }
      res.redirect(303, `/schools/${encodeURIComponent(id)}/letters?done=letterhead`);
    }),
  );

  router.get(
    '/schools/:id/letters/:workflow/:name',
    page(deps, async (current) => renderEditor(current, doneNotice(current.req))),
  );

  /** Save, preview (without the page's script) or go back to the model letter. */
  const wordingPost = (action: 'save' | 'preview' | 'reset') =>
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const params = letterParams(req);
      const source = String((req.body as Record<string, unknown>).source ?? '');
      const base = `/schools/${encodeURIComponent(params.id)}/letters/${params.workflow}/${params.name}`;
      try {
        if (action === 'preview') return void (await api('post', '/api/schools/:id/letters/:workflow/:name/preview', { params, body: { source } }));
        if (action === 'reset') await api('post', '/api/schools/:id/letters/:workflow/:name/reset', { params });
        else await api('post', '/api/schools/:id/letters/:workflow/:name', { params, body: { source } });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 403 || error.status === 404) throw error;
        const problems = (error.details as { problems?: { message: string }[] } | undefined)?.problems ?? [];
        const notice = error.code === 'wording_refused' ? problemNotice(error) : { ...problemNotice(error), message: problems.map((p) => p.message).join('; ') || error.message };
        return renderEditor(current, notice, error.status, source);
      }
      res.redirect(303, `${base}?done=${action === 'reset' ? 'reset' : 'saved'}`);
    });
  router.post('/schools/:id/letters/:workflow/:name', wordingPost('save'));
  router.post('/schools/:id/letters/:workflow/:name/preview', wordingPost('preview'));
  router.post('/schools/:id/letters/:workflow/:name/reset', wordingPost('reset'));
}
