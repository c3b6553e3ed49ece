import { parseArgs } from 'node:util';
import { getWorkflow, WORKFLOWS } from '../../../workflows/index.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  const [id] = positionals;
  if (values.help || !id) {
    console.log(`usage: attendance diagram <workflow>\nPrints the workflow's statechart as Mermaid stateDiagram-v2.\nworkflows: ${Object.keys(WORKFLOWS).join(', ')}`);
    return values.help ? 0 : 2;
  }
  process.stdout.write(getWorkflow(id).diagram);
  return 0;
}
