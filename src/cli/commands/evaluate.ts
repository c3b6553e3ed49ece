import { parseArgs } from 'node:util';
import { isIsoDate } from '../../domain/dates.ts';
import { withStore } from '../open.ts';
import { createLogger } from '../../logger.ts';
import { evaluateSchool } from '../../cases/evaluate-school.ts';
import { SharedClock } from '../../cases/demo-clock.ts';
import { londonDate } from '../../domain/london-time.ts';

const usage = 'usage: attendance evaluate --school <id> [--as-of <YYYY-MM-DD>]   (default: today, by the service clock)';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { school: { type: 'string' }, 'as-of': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.school || (values['as-of'] !== undefined && !isIsoDate(values['as-of']))) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  return withStore(async (store) => {
    const clock = new SharedClock(store);
    await clock.refresh();
    const logger = createLogger('warn');
    const summary = await evaluateSchool({ store, clock, logger }, values.school!, values['as-of'] ?? londonDate(clock.now()), 'cli:evaluate');
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  });
}
