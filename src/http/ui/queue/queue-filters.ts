// The work queue's filters: parsed from the URL, remembered in a cookie so the queue opens as it
// was left (and the case page's breadcrumb and "next case" follow the same list), and said in words.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { cookieOptions, readCookie } from '../../auth/sessions.ts';

const optional = z.string().trim().max(100).optional().transform((value) => (value ? value : undefined));
export const filtersSchema = z.object({
  school: optional,
  q: optional,
  stage: optional,
  band: optional,
  year: optional,
  vulnerability: optional,
  assignee: z.enum(['me']).optional().catch(undefined),
  /** The case's assignee: `me` or a member of staff's id. */
  assigned: optional,
  due: z.enum(['today']).optional().catch(undefined),
  status: z.enum(['open', 'closed', 'all']).catch('open'),
  page: z.coerce.number().int().min(1).catch(1),
});
export type QueueFilters = z.output<typeof filtersSchema>;

const COOKIE = 'queue_filters';
/** Filters longer than this are not remembered (the cookie stays small); they still apply. */
const MAX_SAVED = 1000;
const FILTER_KEYS = Object.keys(filtersSchema.shape).filter((key) => key !== 'page');

/** The filters as a query string, without the page and without what is the default. */
export function filterQuery(filters: QueueFilters): string {
  const entries = FILTER_KEYS.flatMap((key) => {
    const value = filters[key as keyof QueueFilters];
    if (value === undefined || (key === 'status' && value === 'open')) return [];
    return [[key, String(value)] as [string, string]];
  });
  return new URLSearchParams(entries).toString();
}

/** Whether the request names any filter (a page number alone does not). */
export const namesFilters = (req: Request) => FILTER_KEYS.some((key) => key in req.query);

/** The filters the person last applied, or none. */
export function savedFilters(req: Request): QueueFilters {
  const saved = readCookie(req, COOKIE);
  // A cookie is input like any other: one that does not parse is no filters, not an error.
  const parsed = filtersSchema.safeParse(saved && saved.length <= MAX_SAVED ? Object.fromEntries(new URLSearchParams(saved)) : {});
  return parsed.success ? parsed.data : filtersSchema.parse({});
}

export function rememberFilters(req: Request, res: Response, filters: QueueFilters): void {
  const query = filterQuery(filters);
  if (query === '') res.clearCookie(COOKIE, cookieOptions(req));
  else if (query.length <= MAX_SAVED) res.cookie(COOKIE, query, cookieOptions(req, 90 * 86_400_000));
}

export function forgetFilters(req: Request, res: Response): void {
  res.clearCookie(COOKIE, cookieOptions(req));
}

type Options = Record<'school' | 'stage' | 'assigned', { value: string; label: string }[]>;

/** The filters in force, in words: "Stage 2 · Year 8 · due today or overdue". */
export function filterSummary(filters: QueueFilters, options: Partial<Options> = {}): string[] {
  const label = (key: keyof Options, value: string) => options[key]?.find((option) => option.value === value)?.label ?? value;
  return [
    ...(filters.q ? [`“${filters.q}”`] : []),
    ...(filters.school ? [label('school', filters.school)] : []),
    ...(filters.stage ? [label('stage', filters.stage)] : []),
    ...(filters.band ? [`${filters.band} band`] : []),
    ...(filters.year ? [`Year ${filters.year}`] : []),
    ...(filters.vulnerability ? [filters.vulnerability] : []),
    ...(filters.assigned ? [`assigned to ${filters.assigned === 'me' ? 'me' : label('assigned', filters.assigned)}`] : []),
    ...(filters.assignee ? ['my tasks'] : []),
    ...(filters.due ? ['due today or overdue'] : []),
    ...(filters.status === 'closed' ? ['closed cases'] : filters.status === 'all' ? ['open and closed cases'] : []),
  ];
}
