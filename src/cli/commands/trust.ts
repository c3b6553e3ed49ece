import { parseArgs } from 'node:util';
import { trustInputSchema } from '../../organisation/organisation-input.ts';
import { archiveTrust, createTrust, editTrust } from '../../organisation/organisation-service.ts';
import { OPERATOR, operatorDeps } from '../operator.ts';
import { withStore } from '../open.ts';
import { answering, cliActor, formProblems } from '../answer.ts';

const usage = `usage: attendance trust list
       attendance trust add --name <name>
       attendance trust rename <trust id> --name <name>
       attendance trust archive|restore <trust id>

A trust holds schools; a standalone school is a trust of one. A trust is archived once its
schools are (attendance school archive). Every change is in the audit log under --actor.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, actor: { type: 'string', default: cliActor() }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  const [action, id] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const needsId = ['rename', 'archive', 'restore'].includes(action ?? '');
  if (!['list', 'add', 'rename', 'archive', 'restore'].includes(action ?? '') || (needsId && !id)) {
    console.error(usage);
    return 2;
  }
  return answering(() =>
    withStore(async (store) => {
      const deps = operatorDeps(store, values.actor);
      if (action === 'list') {
        const trusts = await store.listTrusts();
        if (values.json) console.log(JSON.stringify(trusts, null, 2));
        for (const trust of trusts) console.log(`${trust.id.padEnd(32)} ${trust.name}${trust.archivedAt ? ' (archived)' : ''}`);
        if (!values.json && trusts.length === 0) console.log('no trusts yet: attendance trust add --name "<your trust>"');
        return 0;
      }
      if (action === 'archive' || action === 'restore') {
        const trust = await archiveTrust(deps, OPERATOR, id!, action === 'archive');
        console.log(`${action === 'archive' ? 'archived' : 'restored'}: ${trust.name}`);
        return 0;
      }
      const input = trustInputSchema.safeParse({ name: values.name ?? '' });
      if (!input.success) throw formProblems(input.error.issues);
      const trust = action === 'add' ? await createTrust(deps, OPERATOR, input.data) : await editTrust(deps, OPERATOR, id!, input.data);
      console.log(values.json ? JSON.stringify(trust) : `${action === 'add' ? 'added' : 'renamed'}: ${trust.name} (id ${trust.id})`);
      return 0;
    }),
  );
}
