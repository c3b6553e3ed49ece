import { parseArgs } from 'node:util';
import { localAuthorityName } from '../../domain/local-authority.ts';
import { MAILBOX_LABELS, mailboxWarnings, schoolInputSchema } from '../../organisation/organisation-input.ts';
import { archiveSchool, createSchool, editSchool, schoolFor } from '../../organisation/organisation-service.ts';
import type { School, SchoolMailboxes } from '../../store/types.ts';
import { withStore } from '../open.ts';
import { answering, cliActor, formProblems } from '../answer.ts';
import { OPERATOR, operatorDeps } from '../operator.ts';

const usage = `usage: attendance school list [--trust <trust id>]
       attendance school show <school id>
       attendance school add --trust <trust id> --name <name> --phase <phase> --la <local authority> --workflow <policy id>
                             [--urn <6 digits>] [--dfe <331/4001>] [--office <email>] [--ewo <email>] [--la-mailbox <email>] [--home-school <email>]
       attendance school edit <school id> [any of the add options but --trust; an option given as "" clears it]
       attendance school archive|restore <school id>

--phase: nursery, primary, middle, secondary, all-through, special, alternative, post-16
--workflow: the attendance policy the school follows (attendance diagram --help lists them;
            the Workflows page shows each one). An archived school keeps its cases on record and
            is no longer evaluated. Every change is in the audit log under --actor.`;

const FLAGS = {
  name: 'name',
  phase: 'phase',
  la: 'localAuthority',
  workflow: 'workflowId',
  urn: 'urn',
  dfe: 'laEstab',
} as const;
const MAILBOX_FLAGS: Record<string, keyof SchoolMailboxes> = { office: 'office', ewo: 'ewo', 'la-mailbox': 'la', 'home-school': 'homeSchool' };

/** A stored school as the input the form (and these flags) give, to edit from. */
const inputOf = (school: School): Record<string, unknown> => ({
  name: school.name,
  phase: school.phase ?? '',
  localAuthority: school.localAuthority,
  workflowId: school.workflowId,
  urn: school.urn ?? '',
  laEstab: school.laEstab ?? '',
  mailboxes: { ...school.notifyEmails },
});

function describe(school: School): string {
  const mailboxes = Object.entries(school.notifyEmails ?? {}).map(([key, address]) => `  ${MAILBOX_LABELS[key as keyof SchoolMailboxes]}: ${address}`);
  return [
    `${school.name} (id ${school.id})${school.archivedAt ? `, archived ${school.archivedAt.toISOString()}` : ''}`,
    `  URN ${school.urn ?? '–'}, DfE number ${school.laEstab ? `${school.laEstab.slice(0, 3)}/${school.laEstab.slice(3)}` : '–'}, ${school.phase ?? 'phase not given'}`,
    `  local authority ${localAuthorityName(school.localAuthority)}, policy ${school.workflowId}`,
    ...mailboxes,
    ...mailboxWarnings(school).map((warning) => `  NOTE: ${warning}`),
  ].join('\n');
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      trust: { type: 'string' },
      ...Object.fromEntries([...Object.keys(FLAGS), ...Object.keys(MAILBOX_FLAGS)].map((flag) => [flag, { type: 'string' as const }])),
      actor: { type: 'string', default: cliActor() },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, id] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const needsId = ['show', 'edit', 'archive', 'restore'].includes(action ?? '');
  if (!['list', 'show', 'add', 'edit', 'archive', 'restore'].includes(action ?? '') || (needsId && !id) || (action === 'add' && !values.trust)) {
    console.error(usage);
    return 2;
  }
  const flags = values as Record<string, string | boolean | undefined>;
  return answering(() =>
    withStore(async (store) => {
      const deps = operatorDeps(store, values.actor);
      if (action === 'list') {
        const schools = await store.listSchools(values.trust ? { trustId: values.trust } : {});
        if (values.json) console.log(JSON.stringify(schools, null, 2));
        else for (const school of schools) console.log(`${school.id.padEnd(32)} ${school.name}${school.archivedAt ? ' (archived)' : ''}  [${school.trustId}, ${school.workflowId}]`);
        return 0;
      }
      if (action === 'show') {
        const school = await schoolFor(store, OPERATOR, id!);
        console.log(values.json ? JSON.stringify({ school, warnings: mailboxWarnings(school) }, null, 2) : describe(school));
        return 0;
      }
      if (action === 'archive' || action === 'restore') {
        const school = await archiveSchool(deps, OPERATOR, id!, action === 'archive');
        console.log(`${action === 'archive' ? 'archived' : 'restored'}: ${school.name}`);
        return 0;
      }
      const base = action === 'edit' ? inputOf(await schoolFor(store, OPERATOR, id!)) : { mailboxes: {} };
      const given = Object.fromEntries(Object.entries(FLAGS).filter(([flag]) => flags[flag] !== undefined).map(([flag, field]) => [field, flags[flag]]));
      const mailboxes = Object.fromEntries(Object.entries(MAILBOX_FLAGS).filter(([flag]) => flags[flag] !== undefined).map(([flag, key]) => [key, flags[flag]]));
      const input = schoolInputSchema.safeParse({ ...base, ...given, mailboxes: { ...(base.mailboxes as object), ...mailboxes } });
      if (!input.success) throw formProblems(input.error.issues);
      const { school, warnings } = action === 'add' ? await createSchool(deps, OPERATOR, values.trust!, input.data) : await editSchool(deps, OPERATOR, id!, input.data);
      if (values.json) console.log(JSON.stringify({ school, warnings }, null, 2));
      else console.log(`${action === 'add' ? 'added' : 'saved'}: ${describe(school)}`);
      return 0;
    }),
  );
}
