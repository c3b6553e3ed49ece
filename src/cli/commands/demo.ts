import { parseArgs } from 'node:util';
import { withStore } from '../open.ts';
import { hasData, loadDemo } from '../../demo/demo-trust.ts';

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'load') {
    console.log('usage: attendance demo load   (loads the demo trusts: the five seed settings, synthetic pupils and a term of marks)');
    return values.help ? 0 : 2;
  }
  return withStore(async (store) => {
    if (await hasData(store)) console.log('the store already has trusts: the demo is loaded over them (re-importing is idempotent)');
    await loadDemo(store, {
      at: new Date(),
      onSchool: (school, [pupils, contacts, marks]) =>
        console.log(`${school.name}: ${pupils!.read} pupils, ${contacts!.read} contacts, ${marks!.read} marks`),
    });
    return 0;
  }, { create: true });
}
