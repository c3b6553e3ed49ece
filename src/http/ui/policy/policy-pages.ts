import type { Router } from 'express';
import { checkCsrf } from '../../auth/sessions.ts';
import type { Policy } from '../../../domain/policy.ts';
import { AppError } from '../../../errors.ts';
import type { DryRun, Outcome } from '../../../policies/dry-run.ts';
import type { MigrationPlan } from '../../../policies/migrate-cases.ts';
import type { PolicyView } from '../../../policies/policy-service.ts';
import { describeRange } from '../../../policies/school-policy.ts';
import { writePolicyFile } from '../../../policies/policy-files.ts';
import { WORKFLOWS } from '../../../../workflows/index.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { templateName, words } from '../../../domain/words.ts';
import { overridesFrom, policyForm, policyFromForm } from './policy-form.ts';

type PolicyAnswer = PolicyView & { draftPolicy: { policy: Policy | null; diagram: string | null; problems: { field: string; message: string }[] } };

interface Notice {
  kind: 'success' | 'problem' | 'conflict';
  title: string;
  message?: string;
  problems?: string[];
}

const DONE: Record<string, string> = {
  saved: 'The draft is saved. Nothing changes for any case until you publish it.',
  copied: 'The draft now starts from the policy you chose. Change what your policy says differently, then save.',
  imported: 'The file is read and saved as the draft.',
  published: 'Published. New cases open on this version from now on; open cases stay on theirs until you move them below.',
  migrated: 'The cases are moved to the new version. Nothing was sent to anyone.',
};

const problemsOf = (error: AppError) =>
  ((error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).slice(0, 30);
const noticeOf = (error: AppError): Notice => ({ kind: error.status === 409 ? 'conflict' : 'problem', title: error.status === 409 ? 'The policy changed meanwhile' : 'The policy cannot be saved like this', message: error.message, problems: problemsOf(error) });

/** A state as staff call it: the stage's name under either version, else the state in words. */
function stateWords(policies: (Policy | null | undefined)[], state: string | null): string {
  if (!state) return '';
  const parts = state.split('.');
  for (const policy of policies) {
    const stage = policy?.stages.find((s) => parts.includes(s.id));
    if (stage) return stage.name;
  }
  return words(parts.at(-1) ?? state);
}

function outcomeWords(policies: (Policy | null | undefined)[], outcome: Outcome): string {
  const sends = outcome.sends.length ? `; sends ${outcome.sends.map((s) => (s.startsWith('task: ') ? s : templateName(s))).join(', ')}` : '';
  switch (outcome.kind) {
    case 'opens':
      return `opens a case at ${stateWords(policies, outcome.to)}${sends}`;
    case 'moves':
      return `moves from ${stateWords(policies, outcome.from)} to ${stateWords(policies, outcome.to)}${sends}`;
    case 'closes':
      return `closes the case (attendance back at the target)${sends}`;
    case 'staysPut':
      return `stays at ${stateWords(policies, outcome.to)}${sends}`;
    default:
      return outcome.note ?? 'nothing happens';
  }
}

interface Extra {
  notice?: Notice | null;
  dryRun?: DryRun | null;
  migration?: MigrationPlan | null;
  formPolicy?: Policy | null;
  status?: number;
}

async function renderPolicy({ api, render }: Page, schoolId: string, extra: Extra = {}) {
  const view = await api<PolicyAnswer>('get', '/api/schools/:id/policy', { params: { id: schoolId } });
  const policy = extra.formPolicy ?? view.draftPolicy.policy;
  const published = view.currentVersion;
  const basePolicy = WORKFLOWS[view.draft.document.base]?.policy;
  const policies = [view.draftPolicy.policy, basePolicy];
  await render(
    'policy.njk',
    {
      title: `${view.school.name}: attendance policy`,
      view,
      form: policy ? policyForm(policy) : null,
      ntiRange: describeRange(view.ntiRange),
      ntiSource: view.ntiRange.source,
      yaml: writePolicyFile(view.draft.document, 'yaml'),
      baseName: basePolicy?.name ?? view.draft.document.base,
      notice: extra.notice ?? null,
      dryRun: extra.dryRun
        ? {
            ...extra.dryRun,
            rows: extra.dryRun.rows.map((row) => ({ ...row, publishedWords: outcomeWords(policies, row.published), draftWords: outcomeWords(policies, row.draft) })),
          }
        : null,
      migration: extra.migration
        ? {
            ...extra.migration,
            states: extra.migration.states.map((s) => ({ ...s, label: stateWords(policies, s.state), choices: s.choices.map((c) => ({ value: c, label: stateWords(policies, c) })) })),
            cases: extra.migration.cases.map((c) => ({ ...c, stateLabel: stateWords(policies, c.state), newStateLabel: stateWords(policies, c.newState) })),
          }
        : null,
      olderVersions: view.versions.filter((v) => v.version !== published).map((v) => v.version),
    },
    extra.status ?? 200,
  );
}

/** Runs a form's action; a refusal of what was typed shows the page again with the problems. */
async function attempt(current: Page, id: string, action: () => Promise<string | void>, extra: Extra = {}) {
  const { req, res, signedIn } = current;
  checkCsrf(req, signedIn.session);
  try {
    const done = await action();
    if (done) res.redirect(303, `/schools/${encodeURIComponent(id)}/policy?done=${done}`);
  } catch (error) {
    if (!(error instanceof AppError) || error.status === 404 || error.status === 403 || error.status === 401) throw error;
    await renderPolicy(current, id, { ...extra, notice: noticeOf(error), status: error.status });
  }
}

export function policyPages(router: Router, deps: PageDeps): void {
  router.get(
    '/schools/:id/policy',
    page(deps, async (current) => {
      const key = String(current.req.query.done ?? '');
      const done = Object.hasOwn(DONE, key) ? DONE[key] : undefined;
      await renderPolicy(current, String(current.req.params.id), { notice: done ? { kind: 'success', title: done } : null });
    }),
  );

  router.get(
    '/schools/:id/policy/export',
    page(deps, async ({ req, res, api }) => {
      const format = req.query.format === 'json' ? 'json' : 'yaml';
      const version = typeof req.query.version === 'string' && /^\d+$/.test(req.query.version) ? Number(req.query.version) : undefined;
      const file = await api<{ fileName: string; content: string }>('get', '/api/schools/:id/policy/export', { params: { id: String(req.params.id) }, query: { format, ...(version ? { version } : {}) } });
      res.set('Cache-Control', 'no-store');
      res.attachment(file.fileName).type(format === 'json' ? 'application/json' : 'application/yaml').send(file.content);
    }),
  );

  router.post(
    '/schools/:id/policy/copy',
    page(deps, async (current) => {
      const id = String(current.req.params.id);
      const form = current.req.body as Record<string, string>;
      await attempt(current, id, async () => {
        await current.api('post', '/api/schools/:id/policy/draft', { params: { id }, body: { document: { base: form.base, overrides: {} }, revision: Number(form.revision) } });
        return 'copied';
      });
    }),
  );

  router.post(
    '/schools/:id/policy/form',
    page(deps, async (current) => {
      const id = String(current.req.params.id);
      const form = current.req.body as Record<string, string>;
      const view = await current.api<PolicyAnswer>('get', '/api/schools/:id/policy', { params: { id } });
      const policy = view.draftPolicy.policy;
      const base = WORKFLOWS[view.draft.document.base]?.policy;
      if (!policy || !base) throw new AppError(409, 'policy_invalid', 'the draft cannot be edited as a form: correct it with a file below first');
      const edited = policyFromForm(policy, form);
      const overrides = overridesFrom(base, edited, view.draft.document.overrides as Record<string, unknown>);
      await attempt(
        current,
        id,
        async () => {
          await current.api('post', '/api/schools/:id/policy/draft', { params: { id }, body: { document: { base: view.draft.document.base, overrides }, revision: Number(form.revision) } });
          return 'saved';
        },
        { formPolicy: edited as unknown as Policy },
      );
    }),
  );

  router.post(
    '/schools/:id/policy/import',
    page(deps, async (current) => {
      const id = String(current.req.params.id);
      const form = current.req.body as Record<string, string>;
      await attempt(current, id, async () => {
        await current.api('post', '/api/schools/:id/policy/draft', { params: { id }, body: { content: form.content ?? '', revision: Number(form.revision) } });
        return 'imported';
      });
    }),
  );

  router.post(
    '/schools/:id/policy/dry-run',
    page(deps, async (current) => {
      const id = String(current.req.params.id);
      await attempt(current, id, async () => {
        const dryRun = await current.api<DryRun>('post', '/api/schools/:id/policy/dry-run', { params: { id } });
        await renderPolicy(current, id, { dryRun });
      });
    }),
  );

  router.post(
    '/schools/:id/policy/publish',
    page(deps, async (current) => {
      const id = String(current.req.params.id);
      const form = current.req.body as Record<string, string>;
      await attempt(current, id, async () => {
        await current.api('post', '/api/schools/:id/policy/publish', { params: { id }, body: { revision: Number(form.revision), note: form.note ?? '' } });
        return 'published';
      });
    }),
  );

  router.post(
    '/schools/:id/policy/migration',
    page(deps, async (current) => {
      const id = String(current.req.params.id);
      const form = current.req.body as Record<string, string | string[]>;
      const mapping = Object.fromEntries(Object.entries(form).filter(([key, value]) => key.startsWith('map:') && typeof value === 'string' && value).map(([key, value]) => [key.slice(4), value as string]));
      const caseIds = form.caseId === undefined ? undefined : ([] as string[]).concat(form.caseId);
      const body = { from: Number(form.from), to: Number(form.to), mapping, ...(caseIds ? { caseIds } : {}) };
      await attempt(current, id, async () => {
        if (form.apply === 'yes') {
          await current.api('post', '/api/schools/:id/policy/migration', { params: { id }, body: { ...body, apply: true } });
          return 'migrated';
        }
        const migration = await current.api<MigrationPlan>('post', '/api/schools/:id/policy/migration', { params: { id }, body });
        await renderPolicy(current, id, { migration });
      });
    }),
  );
}
