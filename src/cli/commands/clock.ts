import { parseArgs } from 'node:util';
import { withStore } from '../open.ts';
import { createLogger } from '../../logger.ts';
import { createCaseService } from '../../cases/case-service.ts';
import { SharedClock, advanceClock, isShiftedClock } from '../../cases/demo-clock.ts';
import { demoRegisterFiller } from '../../demo/demo-register.ts';
import { DURATION_SYNTAX, parseDuration } from '../../domain/duration.ts';

const usage = `usage: attendance clock show
       attendance clock advance <duration>     e.g. 30m, 12h, 1d, 3w

Moves the demo clock forward, living through every day on the way: timers fire each morning,
the demo register grows and each school is evaluated each school-day evening. Demo mode only.`;


export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  const [action, durationText] = positionals;
  if (values.help || (action !== 'show' && action !== 'advance')) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  return withStore(async (store) => {
    const clock = new SharedClock(store);
    await clock.refresh();
    if (action === 'show') {
      console.log(`${clock.now().toISOString()}${(await isShiftedClock(store)) ? ' (demo clock)' : ' (real time)'}`);
      return 0;
    }
    const ms = durationText ? parseDuration(durationText) : null;
    if (ms === null) {
      console.error(`'${durationText ?? ''}' is not a duration: use ${DURATION_SYNTAX}\n\n${usage}`);
      return 2;
    }
    if (!(await isShiftedClock(store))) {
      console.error('the clock moves only in demo mode (this store runs on real time)');
      return 1;
    }
    const logger = createLogger('warn');
    const cases = createCaseService({ store, clock, logger });
    const result = await advanceClock({ store, cases, logger, clock, fillRegister: demoRegisterFiller(store, clock) }, ms);
    console.log(
      `clock moved from ${result.from.toISOString()} to ${result.to.toISOString()}: ${result.timersFired} timers fired, ${result.evaluations} school evaluations`,
    );
    return 0;
  });
}
