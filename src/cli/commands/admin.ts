import { parseArgs } from 'node:util';
import { z } from 'zod';
import { issueSetupLink } from '../../access/first-run.ts';
import { withStore } from '../open.ts';
import { answering, formProblems } from '../answer.ts';

const usage = `usage: attendance admin create --email <address> --name <name>

Prints a one-time link (it works once, for 24 hours) with which that person creates the first
administrator account, choosing their own password. Once an administrator exists, people are
invited from the Staff page instead. The link starts with PUBLIC_URL.`;

const personSchema = z.object({
  email: z.email('--email: not an email address').max(320),
  name: z.string().trim().min(1, '--name: give the person’s name').max(200),
});

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { email: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals[0] !== 'create' || positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const person = personSchema.safeParse({ email: values.email ?? '', name: values.name ?? '' });
  return answering(async () => {
    if (!person.success) throw formProblems(person.error.issues);
    // A new installation may run this before the service has ever started: it may create the store.
    return withStore(
      async (store, config) => {
        const { token, expiresAt } = await issueSetupLink(store, new Date(), person.data);
        console.log(`Send this one-time link to ${person.data.name} <${person.data.email}> (it works once, until ${expiresAt.toISOString()}):\n\n  ${config.PUBLIC_URL}/setup/${token}\n`);
        return 0;
      },
      { create: true },
    );
  });
}
