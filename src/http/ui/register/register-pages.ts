import path from 'node:path';
import type { Router } from 'express';
import { requireRegisterStaff } from '../../../access/scope.ts';
import { AppError } from '../../../errors.ts';
import { HEADER_PRESETS, presetById } from '../../../register/header-presets.ts';
import { mappingFromForm, ourColumns, presetRenames, type HeaderPlan } from '../../../register/column-mapping.ts';
import { importFeedFile, type FeedOutcome } from '../../../register/register-feed.ts';
import { REGISTER_FILES } from '../../../register/rows.ts';
import { DROP_TASK_KIND } from '../../../register/register-feed.ts';
import { REGISTER_KINDS, type RegisterKind, type School } from '../../../store/types.ts';
import { checkCsrf } from '../../auth/sessions.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { streamUpload } from './upload-stream.ts';
import { DEFAULT_FEED_SETTINGS } from './feed-settings.ts';


const KIND_NAMES: Record<RegisterKind, string> = { pupils: 'Pupils', contacts: 'Contacts (parents and carers)', marks: 'Attendance marks' };
/** The most columns a mapping form offers: an export wider than this is not a register file. */
const MOST_COLUMNS = 80;

const isKind = (value: unknown): value is RegisterKind => typeof value === 'string' && (REGISTER_KINDS as readonly string[]).includes(value);

async function schoolFor({ access }: Page, deps: PageDeps, id: string): Promise<School> {
  requireRegisterStaff(await access(), id);
  const school = await deps.store.getSchool(id);
  if (!school) throw new AppError(404, 'not_found', 'There is no such school.');
  return school;
}

interface Notice {
  kind: 'success' | 'problem';
  title: string;
  message?: string;
}

async function renderUpload(current: Page, deps: PageDeps, school: School, notice: Notice | null, status = 200) {
  const settings = deps.registerFeed ?? DEFAULT_FEED_SETTINGS;
  const failedFiles = (await deps.store.listTasks({ schoolIds: [school.id], status: 'open' })).filter((task) => task.kind === DROP_TASK_KIND);
  const mappings = await Promise.all(REGISTER_KINDS.map(async (kind) => ({ kind, name: KIND_NAMES[kind], mapping: await deps.store.getRegisterMapping(school.id, kind) })));
  await current.render(
    'register-upload.njk',
    {
      title: `${school.name}: load the register`,
      school,
      notice,
      kinds: REGISTER_KINDS.map((kind) => ({ value: kind, label: KIND_NAMES[kind], columns: ourColumns(kind), required: REGISTER_FILES[kind].required })),
      chosenKind: isKind(current.req.query.kind) ? current.req.query.kind : 'marks',
      presets: HEADER_PRESETS,
      mappings: mappings.map((m) => ({ ...m, presetName: m.mapping?.preset ? (presetById(m.mapping.preset)?.name ?? m.mapping.preset) : null, used: m.mapping?.columns.filter((c) => c.to) ?? [] })),
      maxMb: Math.round(settings.uploadMaxBytes / 1024 / 1024),
      dropFolder: settings.dropDir ? path.join(settings.dropDir, school.id) : null,
      failedFiles,
    },
    status,
  );
}

/** The mapping step: the file's columns, each with our column it most likely is (a preset's name for it, or the same name). */
async function renderMapping(current: Page, school: School, kind: RegisterKind, header: string[], problems: string[], chosen: Record<string, string> | null) {
  const guesses = new Map<string, string>();
  for (const preset of HEADER_PRESETS) for (const rename of presetRenames(kind, preset.id, header)) if (!guesses.has(rename.from)) guesses.set(rename.from, rename.to);
  const ours = ourColumns(kind);
  await current.render(
    'register-mapping.njk',
    {
      title: `${school.name}: match the file's columns`,
      school,
      kind,
      kindName: KIND_NAMES[kind],
      ours: ours.map((column) => ({ value: column, required: (REGISTER_FILES[kind].required as readonly string[]).includes(column) })),
      columns: header.map((name, index) => ({ index, name, chosen: chosen ? (chosen[`column${index}`] ?? '') : (guesses.get(name) ?? (ours.includes(name) ? name : '')) })),
      problems,
    },
    422,
  );
}

function readAs(plan: HeaderPlan | null): string | null {
  if (!plan || plan.source === 'ours') return null;
  return plan.source === 'saved' ? 'the school’s saved column mapping' : `the ${presetById(plan.source)?.name ?? plan.source} column names`;
}

async function renderOutcome(current: Page, school: School, outcome: Exclude<FeedOutcome, { status: 'unrecognised' | 'not-csv' }>) {
  const { report } = outcome;
  await current.render(
    'register-report.njk',
    {
      title: `${school.name}: ${report.applied ? 'imported' : 'not imported'}`,
      school,
      kindName: KIND_NAMES[outcome.kind],
      report,
      more: report.rejected > report.problems.length ? report.rejected - report.problems.length : 0,
      readAs: readAs(outcome.plan),
      leftOut: outcome.plan ? outcome.header.filter((_, index) => !outcome.plan!.targets[index]) : [],
      evaluation: outcome.evaluation,
      notEvaluated: outcome.notEvaluated,
    },
    report.applied ? 200 : 422,
  );
}

export function registerPages(router: Router, deps: PageDeps): void {
  router.get(
    '/schools/:id/register',
    page(deps, async (current) => {
      const school = await schoolFor(current, deps, String(current.req.params.id));
      const saved = current.req.query.saved;
      await renderUpload(current, deps, school, isKind(saved) ? { kind: 'success', title: `The column mapping for ${KIND_NAMES[saved].toLowerCase()} is saved. Upload the file again: it will be read with it, and so will every later file.` } : null);
    }),
  );

  router.post(
    '/schools/:id/register/upload',
    page(deps, async (current) => {
      const { req, signedIn } = current;
      const school = await schoolFor(current, deps, String(req.params.id));
      const settings = deps.registerFeed ?? DEFAULT_FEED_SETTINGS;
      let outcome: FeedOutcome;
      try {
        outcome = await streamUpload(req, settings.uploadMaxBytes, async (fields, file) => {
          req.body = fields;
          checkCsrf(req, signedIn.session);
          if (!isKind(fields.kind)) throw new AppError(400, 'bad_request', 'Say which file this is: pupils, contacts or attendance marks.');
          if (!file.name) throw new AppError(400, 'bad_request', 'Choose a file to upload: the CSV file your MIS exported.');
          if (!/\.(csv|txt)$/i.test(file.name)) throw new AppError(415, 'not_csv', `'${file.name}' is not a CSV file. Export the report from the MIS as CSV (comma separated), or in Excel use Save As, "CSV UTF-8 (comma delimited)", and upload that.`);
          const preset = fields.preset && presetById(fields.preset) ? fields.preset : undefined;
          return importFeedFile(deps, { schoolId: school.id, kind: fields.kind, source: file.stream, actor: signedIn.user.id, reason: 'register upload', preset });
        });
      } catch (error) {
        if (!(error instanceof AppError) || [403, 404].includes(error.status)) throw error;
        return renderUpload(current, deps, school, { kind: 'problem', title: 'Nothing was imported', message: error.message }, error.status);
      }
      if (outcome.status === 'not-csv') return renderUpload(current, deps, school, { kind: 'problem', title: 'Nothing was imported', message: outcome.message }, 415);
      if (outcome.status === 'unrecognised') {
        if (!outcome.kind || !outcome.header || outcome.header.length === 0 || outcome.header.length > MOST_COLUMNS) {
          return renderUpload(current, deps, school, { kind: 'problem', title: 'Nothing was imported', message: 'The file’s first line is not a row of column names. Is it the right file, exported as CSV with its headings?' }, 422);
        }
        return renderMapping(current, school, outcome.kind, outcome.header, [], null);
      }
      await deps.audit(signedIn.user.id, 'register.import', { schoolId: school.id }, { kind: outcome.kind, via: 'upload', applied: outcome.report.applied, read: outcome.report.read, rejected: outcome.report.rejected });
      await renderOutcome(current, school, outcome);
    }),
  );

  router.post(
    '/schools/:id/register/mapping',
    page(deps, async (current) => {
      const { req, res, signedIn } = current;
      const school = await schoolFor(current, deps, String(req.params.id));
      checkCsrf(req, signedIn.session);
      const form = req.body as Record<string, string>;
      if (!isKind(form.kind)) throw new AppError(400, 'bad_request', 'The form is incomplete: upload the file again.');
      const count = Number(form.columns);
      if (!Number.isInteger(count) || count < 1 || count > MOST_COLUMNS) throw new AppError(400, 'bad_request', 'The form is incomplete: upload the file again.');
      const header = Array.from({ length: count }, (_, index) => String(form[`name${index}`] ?? '').slice(0, 200));
      const { columns, problems } = mappingFromForm(form.kind, header, form);
      if (problems.length > 0) return renderMapping(current, school, form.kind, header, problems, form);
      await deps.store.saveRegisterMapping({ schoolId: school.id, kind: form.kind, preset: null, columns, updatedAt: new Date(), updatedBy: signedIn.user.id });
      await deps.audit(signedIn.user.id, 'register.mapping', { schoolId: school.id }, { kind: form.kind, columns: columns.filter((c) => c.to).map((c) => c.to) });
      res.redirect(303, `/schools/${encodeURIComponent(school.id)}/register?saved=${form.kind}&kind=${form.kind}`);
    }),
  );
}
