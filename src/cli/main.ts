#!/usr/bin/env node
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

// Each sub-command lives in ./commands/<name>.ts and exports `run(args): Promise<number>`,
// so adding a command never touches this file.
const usage = `usage: attendance <command> [options]

commands:
  serve                     run the web server and the worker (npm start)
  admin create              a one-time link to create the first administrator (--email, --name)
  trust list|add|rename     the trusts; archive|restore one whose schools are archived
  school list|show|add|edit a trust's schools: DfE numbers, phase, LA, policy, mailboxes; archive|restore
  import <kind> <file>      import pupils, contacts or marks from the school MIS (CSV)
  metrics                   attendance metrics for one school as of a date
  simulate                  run a workflow over a register without a database
  diagram <workflow>        print a workflow's state diagram (Mermaid)
  clock show|advance <d>    show or move the demo clock forward
  evaluate                  evaluate a school now, as the nightly job does
  calendar show|import|add  a school's term dates, INSET days and closures (remove takes one out)
  policy show|export|import a school's own policy: dry-run, publish a version, migrate open cases
  staff list|invite|reset   staff accounts (deactivate, reactivate and move-cases too)
  letter preview|list       render letters and emails (PDF and HTML) for a look
  demo load                 load the demo trusts into the configured store
  purge register            delete register entries past their 6-year retention (--before, --dry-run)
  pupil-data export|erase   a pupil's data as a zip (subject access), or erase a pupil past retention
  purge <kind>|all          delete closed cases, pupils who left, letters or audit entries past retention (--dry-run)
run 'attendance <command> --help' for a command's options`;

export interface Command {
  run(args: string[]): Promise<number>;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const file = /^[a-z][a-z-]*$/.test(name) ? new URL(`./commands/${name}.${extension}`, import.meta.url) : null;
  if (!file || !(await access(fileURLToPath(file)).then(() => true, () => false))) {
    console.error(`unknown command '${name}'\n\n${usage}`);
    return 2;
  }
  const command = (await import(file.href)) as Command;
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
