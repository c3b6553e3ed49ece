import { AppError } from '../errors.ts';

/**
 * Runs a command, saying what a person can put right (a refusal, a form problem) as the pages
 * say it, field by field, with exit code 1; anything else is the CLI's usual failure.
 */
export async function answering(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(error.message);
    for (const problem of (error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []) console.error(`  ${problem.field}: ${problem.message}`);
    return 1;
  }
}

/** A zod problem list as the AppError a page would show for it. */
export function formProblems(issues: { path: PropertyKey[]; message: string }[]): AppError {
  return new AppError(400, 'invalid_request', 'some of what was given is not right:', { problems: issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message })) });
}

/** Who the audit log names for a command: the operator's login, or --actor. */
export const cliActor = (given?: string) => given ?? `cli:${process.env.USER ?? 'unknown'}`;
