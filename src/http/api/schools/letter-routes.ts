import { z } from 'zod';
import { requireRole, requireWholeSchool, type Access } from '../../../access/scope.ts';
import { LETTER_EDIT_ROLES } from '../../../access/roles.ts';
import { AppError } from '../../../errors.ts';
import { schoolMachineFor } from '../../../cases/case-machines.ts';
import { schoolLetterSample } from '../../../demo/letter-sample.ts';
import { assembleLetterData } from '../../../letters/letter-data.ts';
import { MAX_LOGO_BYTES } from '../../../letters/logo.ts';
import { mergeFields } from '../../../letters/merge-fields.ts';
import { templateSource } from '../../../letters/render.ts';
import { lettersOf, renderSample, requireSchoolTemplate, samplePdf, saveLetterhead, saveWording, schoolTemplates } from '../../../letters/school-letters.ts';
import { MAX_SOURCE_CHARS, WORDING_FILTERS } from '../../../letters/template-check.ts';
import type { School } from '../../../store/types.ts';
import { route, type AnyRoute, type Caller } from '../route.ts';
import type { ApiDeps } from '../deps.ts';

const schoolParams = z.object({ id: z.string().min(1).max(100) });
const slug = z.string().regex(/^[a-z0-9-]{1,60}$/, 'a template name: lower-case letters, digits and hyphens');
const letterParams = schoolParams.extend({ workflow: slug, name: slug });
const line = (most: number) => z.string().trim().max(most);
const optionalLine = (most: number) => line(most).transform((value) => value || null);
const base64 = z.string().max(Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 4, `the logo is larger than ${MAX_LOGO_BYTES / 1024} KB`).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

const letterheadBody = z.object({
  address: z.array(line(100)).max(5).default([]).describe('the school’s postal address, one line each (at most 5)'),
  phone: optionalLine(40).default(''),
  web: optionalLine(200).default(''),
  signatoryName: optionalLine(100).default('').describe('who signs the school’s letters; leave out with signatoryRole to keep each letter’s own role'),
  signatoryRole: optionalLine(100).default(''),
  logo: base64.nullable().optional().describe('a PNG or JPEG, base64; null removes the logo; left out keeps it'),
});
const wordingBody = z.object({ source: z.string().min(1).max(MAX_SOURCE_CHARS, `a wording is at most ${MAX_SOURCE_CHARS} characters`).describe('the template’s Nunjucks source') });
const previewBody = z.object({ source: z.string().min(1).max(MAX_SOURCE_CHARS, `a wording is at most ${MAX_SOURCE_CHARS} characters`).optional().describe('a draft wording; left out: the one in use') });

/** Each school's letters in its own voice: letterhead, signatory and wordings, with a sample case's PDF to see them by. */
export function letterRoutes(deps: ApiDeps): AnyRoute[] {
  const { store } = deps;

  async function schoolFor(access: Access, id: string, edit: boolean): Promise<School> {
    requireWholeSchool(access, id);
    if (edit) requireRole(access, LETTER_EDIT_ROLES);
    const school = await store.getSchool(id);
    if (!school) throw new AppError(404, 'not_found', `no school '${id}'`);
    return school;
  }

  /** The school, its policy, the template asked for (one its policy sends) and the sample case told as the school's. */
  async function letterFor(me: Caller, params: z.output<typeof letterParams>, edit: boolean) {
    const school = await schoolFor(await me.access(), params.id, edit);
    const { policy } = (await schoolMachineFor(store, school)).workflow;
    const template = `${params.workflow}/${params.name}`;
    requireSchoolTemplate(policy, template);
    const letters = await lettersOf(store, school.id);
    return { school, template, letters, sample: schoolLetterSample(school, letters) };
  }

  return [
    route({
      method: 'get',
      path: '/api/schools/:id/letters',
      tag: 'letters',
      summary: 'The school’s letters: its letterhead and signatory, each template its policy sends (its own wording or the model letter) and the merge fields a wording can use',
      params: schoolParams,
      responses: { 200: 'the letters', 403: 'only the senior attendance champion or whoever sets the trust up', 404: 'no school you can see whole' },
      async handle({ params, caller }) {
        const school = await schoolFor(await caller().access(), params.id, true);
        const letters = await lettersOf(store, school.id);
        const sample = schoolLetterSample(school, letters);
        const { letterhead } = letters;
        return {
          school: { id: school.id, name: school.name },
          letterhead: letterhead && { address: letterhead.address, phone: letterhead.phone, web: letterhead.web, hasLogo: Boolean(letterhead.logo), signatoryName: letterhead.signatoryName, signatoryRole: letterhead.signatoryRole, updatedAt: letterhead.updatedAt },
          letters: schoolTemplates((await schoolMachineFor(store, school)).workflow.policy).map(({ id, kind }) => {
            const own = letters.overrides.find((override) => override.template === id);
            return { template: id, kind, subject: renderSample(sample, id, own?.source).rendered.subject, own: Boolean(own), updatedAt: own?.updatedAt ?? null };
          }),
          mergeFields: mergeFields(assembleLetterData(sample)),
          filters: WORDING_FILTERS,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/schools/:id/letters/logo',
      tag: 'letters',
      summary: 'The school’s letterhead logo, as uploaded',
      params: schoolParams,
      responses: { 200: 'the image', 404: 'no logo, or no school you can see whole' },
      async handle({ params, caller, res }) {
        const school = await schoolFor(await caller().access(), params.id, true);
        const logo = (await store.getLetterhead(school.id))?.logo;
        if (!logo) throw new AppError(404, 'not_found', 'no logo for this school');
        res.type(logo.contentType).set('Cache-Control', 'no-store').send(logo.bytes);
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/letterhead',
      tag: 'letters',
      summary: 'Save the school’s letterhead (address, telephone, web address, logo) and who signs its letters',
      params: schoolParams,
      body: letterheadBody,
      bodyLimit: '512kb',
      responses: {
        200: 'the letterhead as saved',
        403: 'only the senior attendance champion or whoever sets the trust up',
        404: 'no school you can see whole',
        413: 'the logo is too large',
        422: 'the logo is not a PNG or JPEG image it can draw',
      },
      async handle({ params, body, caller }) {
        const me = caller();
        const school = await schoolFor(await me.access(), params.id, true);
        const logo = body.logo === undefined || body.logo === null ? body.logo : Buffer.from(body.logo, 'base64');
        const saved = await saveLetterhead(store, school, { ...body, logo }, me.user.id, deps.clock.now());
        await me.audit('school.letterhead.save', { schoolId: school.id }, { logo: body.logo === undefined ? 'kept' : body.logo === null ? 'removed' : 'uploaded' });
        return { address: saved.address, phone: saved.phone, web: saved.web, hasLogo: Boolean(saved.logo), signatoryName: saved.signatoryName, signatoryRole: saved.signatoryRole, updatedAt: saved.updatedAt };
      },
    }),
    route({
      method: 'get',
      path: '/api/schools/:id/letters/:workflow/:name',
      tag: 'letters',
      summary: 'One letter’s wording: the school’s own, or the model letter’s',
      params: letterParams,
      responses: { 200: 'the wording', 404: 'no such letter in the school’s policy, or no school you can see whole' },
      async handle({ params, caller }) {
        const { template, letters, sample } = await letterFor(caller(), params, true);
        const own = letters.overrides.find((override) => override.template === template);
        const model = templateSource(template);
        return { template, subject: renderSample(sample, template, own?.source).rendered.subject, own: Boolean(own), source: own?.source ?? model, modelSource: model, updatedAt: own?.updatedAt ?? null };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/letters/:workflow/:name',
      tag: 'letters',
      summary: 'Save the school’s wording of a letter: tried on the sample case first, and refused (naming the line) if it does not render',
      params: letterParams,
      body: wordingBody,
      responses: { 200: 'saved', 404: 'no such letter in the school’s policy', 422: 'the wording does not render: details.line names the line; nothing saved' },
      async handle({ params, body, caller }) {
        const me = caller();
        const { template, sample } = await letterFor(me, params, true);
        await saveWording(store, sample, template, body.source, me.user.id, deps.clock.now());
        await me.audit('school.letter.wording.save', { schoolId: params.id }, { template, characters: body.source.length });
        return { saved: true, template };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/letters/:workflow/:name/reset',
      tag: 'letters',
      summary: 'Go back to the model letter’s wording',
      params: letterParams,
      responses: { 200: 'whether the school had a wording of its own', 404: 'no such letter in the school’s policy' },
      async handle({ params, caller }) {
        const me = caller();
        const { template } = await letterFor(me, params, true);
        const removed = await store.deleteLetterOverride(params.id, template);
        if (removed) await me.audit('school.letter.wording.reset', { schoolId: params.id }, { template });
        return { removed, template };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/letters/:workflow/:name/preview',
      tag: 'letters',
      summary: 'The letter as a PDF on a made-up sample case, with the school’s letterhead and the wording given (or the one in use)',
      params: letterParams,
      body: previewBody,
      responses: { 200: 'the PDF (application/pdf)', 404: 'no such letter in the school’s policy', 422: 'the wording does not render: details.line names the line' },
      async handle({ params, body, caller, res }) {
        const { template, letters, sample } = await letterFor(caller(), params, true);
        const wording = body.source ?? letters.overrides.find((override) => override.template === template)?.source;
        const pdf = await samplePdf(sample, template, wording);
        res.type('application/pdf').set('Content-Disposition', `inline; filename="${params.name}-sample.pdf"`).send(pdf);
      },
    }),
  ];
}
