import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { auditRecorder } from '../../access/audit.ts';
import { londonDate } from '../../domain/london-time.ts';
import { AppError } from '../../errors.ts';
import { dryRun } from '../../policies/dry-run.ts';
import { applyMigration, planMigration } from '../../policies/migrate-cases.ts';
import { MAX_POLICY_FILE_BYTES, policyFormatOf, readPolicyFile, writePolicyFile } from '../../policies/policy-files.ts';
import { publishDraft, saveDraft, versionDocument, viewPolicy } from '../../policies/policy-service.ts';
import { schoolWorkflow } from '../../policies/school-policy.ts';
import { schoolOf, withStore } from '../open.ts';
import { answering, cliActor } from '../answer.ts';

const usage = `usage: attendance policy show --school <id> [--json]
       attendance policy export --school <id> [--version <n>] [--format yaml|json]
       attendance policy import --school <id> <file.yaml|file.json>
       attendance policy dry-run --school <id> [--date <YYYY-MM-DD>] [--json]
       attendance policy publish --school <id> [--note <text>]
       attendance policy migrate --school <id> --from <n> --to <n> [--map <old>=<new> ...] [--case <id> ...] [--apply] [--json]

A school's policy is a built-in policy (the national defaults or a model policy) with what the
school's own policy says differently. import saves a file as the draft (refused, unsaved, when it
would not run or reaches for a statutory rule); dry-run tries the draft on the register as of today
beside the published version, storing and sending nothing; publish makes the draft the next version:
new cases open on it at once. migrate previews moving the open cases on one version to another, state
by state (--map open.stage1a=open.stage1b); with --apply it moves them, sending nothing.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      school: { type: 'string' },
      version: { type: 'string' },
      format: { type: 'string', default: 'yaml' },
      date: { type: 'string' },
      note: { type: 'string', default: '' },
      from: { type: 'string' },
      to: { type: 'string' },
      map: { type: 'string', multiple: true, default: [] },
      case: { type: 'string', multiple: true },
      apply: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      actor: { type: 'string', default: cliActor() },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, file] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const actions = ['show', 'export', 'import', 'dry-run', 'publish', 'migrate'];
  if (!values.school || !actions.includes(action ?? '') || (action === 'import' && !file) || (action === 'migrate' && (!values.from || !values.to)) || !['yaml', 'json'].includes(values.format)) {
    console.error(usage);
    return 2;
  }
  const schoolId = values.school;
  const at = new Date();
  return answering(() =>
    withStore(async (store) => {
      const school = await schoolOf(store, schoolId);
      const audit = (name: string, detail: Record<string, unknown>) => auditRecorder(store, () => new Date())(values.actor, name, { schoolId }, detail);
      const view = await viewPolicy(store, school);
      switch (action) {
        case 'show': {
          if (values.json) console.log(JSON.stringify(view, null, 2));
          else {
            console.log(`${school.name}: new cases open on version ${view.currentVersion}`);
            for (const v of view.versions) console.log(`  version ${v.version}  ${v.publishedAt ? v.publishedAt.toISOString().slice(0, 10) : 'set-up    '}  ${v.note}`);
            console.log(view.draft.saved ? `draft: revision ${view.draft.revision}, starts from ${view.draft.document.base}` : 'no saved draft');
          }
          return 0;
        }
        case 'export': {
          const document = values.version ? versionDocument(school, await store.listPolicyVersions(school.id), Number(values.version)) : view.draft.document;
          process.stdout.write(writePolicyFile(document, values.format as 'yaml' | 'json'));
          return 0;
        }
        case 'import': {
          if ((await stat(file!)).size > MAX_POLICY_FILE_BYTES) throw new AppError(413, 'too_large', `${file} is larger than ${MAX_POLICY_FILE_BYTES / 1024} KB, more than any policy`);
          const content = (await readFile(file!)).toString('utf8');
          const saved = await saveDraft(store, school, readPolicyFile(content, policyFormatOf(file!, content)), { expectedRevision: view.draft.saved ? view.draft.revision : 0, by: values.actor, at });
          await audit('school.policy.draft', { revision: saved.revision });
          console.log(`saved as the draft (revision ${saved.revision}); publish it to use it`);
          return 0;
        }
        case 'dry-run': {
          const draft = await store.getPolicyDraft(school.id);
          if (!draft) throw new AppError(409, 'no_draft', 'there is no saved draft to try: import one first');
          const result = await dryRun(store, school, schoolWorkflow(draft.document, school.localAuthority), values.date ?? londonDate(at));
          await audit('school.policy.dryRun', { revision: draft.revision, pupilsListed: result.rows.length });
          if (values.json) console.log(JSON.stringify(result, null, 2));
          else {
            console.log(`${result.pupils} pupils on roll, as if reviewed on ${result.asOf}; nothing stored or sent`);
            for (const row of result.rows)
              console.log(`${row.differs ? '*' : ' '} ${row.upn} ${row.name.padEnd(28)} version ${view.currentVersion}: ${row.published.kind} ${row.published.to ?? ''} | draft: ${row.draft.kind} ${row.draft.to ?? ''}${row.draft.note ? ` (${row.draft.note})` : ''}`);
          }
          return 0;
        }
        case 'publish': {
          const published = await publishDraft(store, school, { expectedRevision: view.draft.revision, note: values.note, by: values.actor, at });
          await audit('school.policy.publish', { version: published.version });
          console.log(`published version ${published.version}: new cases open on it from now on`);
          return 0;
        }
        default: {
          const mapping = Object.fromEntries(values.map.map((pair) => pair.split('=', 2) as [string, string]));
          const request = { from: Number(values.from), to: Number(values.to), mapping, ...(values.case ? { caseIds: values.case } : {}) };
          if (!values.apply) {
            const plan = await planMigration(store, school, request.from, request.to, mapping);
            if (values.json) console.log(JSON.stringify(plan, null, 2));
            else {
              for (const s of plan.states) console.log(`${s.state} (${s.cases} open) -> ${s.chosen ?? 'CHOOSE one of: ' + s.choices.join(', ')}`);
              for (const c of plan.cases) console.log(`  ${c.caseId} ${c.name}: ${c.state} -> ${c.newState ?? c.problem}; sends nothing`);
              console.log('a preview: nothing moved (add --apply to move them)');
            }
            return plan.cases.some((c) => c.problem) ? 1 : 0;
          }
          const result = await applyMigration(store, school, request, { by: values.actor, at });
          await audit('school.policy.migrate', { from: request.from, to: request.to, moved: result.moved.length, skipped: result.skipped.length });
          if (values.json) console.log(JSON.stringify(result, null, 2));
          else {
            for (const m of result.moved) console.log(`moved ${m.caseId}: ${m.from} -> ${m.to}`);
            for (const s of result.skipped) console.log(`skipped ${s.caseId}: ${s.reason}`);
          }
          return result.skipped.length ? 1 : 0;
        }
      }
    }),
  );
}
