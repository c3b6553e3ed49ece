// The work queue's SQL, built from a filter.
import { type CaseFilter } from '../types.ts';

/**
 * The page of cases a filter asks for, and its count. Only the conditions the filter sets are in the
 * SQL: `($n IS NULL OR …)` for every possible filter cost more to plan than the page costs to read.
 * `school_id = ANY(…)` makes the planner read every row of the schools and sort them, even for one
 * school; one school at a time (`school_id = s.id`) walks (school_id, next_task_due, …) in order
 * and stops after the page, and the merge sorts at most schools × (offset + limit) rows.
 */
export function caseListQuery(filter: CaseFilter) {
  const countParams: unknown[] = [];
  const arg = (value: unknown, type: string) => {
    countParams.push(value);
    return `$${countParams.length}::${type}`;
  };
  const conditions: string[] = [];
  if (filter.status != null) conditions.push(`c.status = ${arg(filter.status, 'text')}`);
  if (filter.state != null) {
    const state = arg(filter.state, 'text');
    conditions.push(`(c.state = ${state} OR c.state LIKE ${state} || '.%')`);
  }
  if (filter.upn != null) conditions.push(`c.upn = ${arg(filter.upn, 'text')}`);
  if (filter.upns != null) conditions.push(`c.upn = ANY(${arg(filter.upns, 'text[]')})`);
  if (filter.caseIds != null) conditions.push(`c.id = ANY(${arg(filter.caseIds, 'text[]')})`);
  if (filter.stage != null) {
    const stage = arg(filter.stage, 'text');
    conditions.push(`(${stage} = ANY(string_to_array(c.state, '.')) OR c.snapshot->'context'->>'stage' = ${stage})`);
  }
  if (filter.openTask) {
    const task = ["t.case_id = c.id", "t.status = 'open'"];
    if (filter.openTask.dueBefore != null) task.push(`t.due_date <= ${arg(filter.openTask.dueBefore, 'date')}`);
    if (filter.openTask.assignee != null) task.push(`t.assignee = ${arg(filter.openTask.assignee, 'text')}`);
    conditions.push(`EXISTS (SELECT 1 FROM tasks t WHERE ${task.join(' AND ')})`);
  }
  if (filter.assignedTo != null) conditions.push(`EXISTS (SELECT 1 FROM case_assignments a WHERE a.case_id = c.id AND a.user_id = ${arg(filter.assignedTo, 'text')})`);
  const schools = filter.schoolIds == null ? null : arg(filter.schoolIds, 'text[]');
  const where = (more: string | null) => {
    const all = more === null ? conditions : [more, ...conditions];
    return all.length === 0 ? '' : `WHERE ${all.join(' AND ')}`;
  };
  const order =
    filter.order === 'dueFirst' ? 'ORDER BY c.next_task_due ASC NULLS LAST, c.updated_at DESC, c.id' : 'ORDER BY c.updated_at DESC, c.id';
  const limit = filter.limit ?? 50;
  const offset = filter.offset ?? 0;
  const params = [...countParams, limit, offset];
  const [limitArg, offsetArg] = [`$${params.length - 1}::int`, `$${params.length}::int`];
  return {
    limit,
    offset,
    order,
    limitArg,
    countParams,
    params,
    page:
      schools === null
        ? `SELECT c.* FROM cases c ${where(null)} ${order} LIMIT ${limitArg} OFFSET ${offsetArg}`
        : `SELECT c.* FROM (SELECT DISTINCT unnest(${schools}) AS id) s
             CROSS JOIN LATERAL (SELECT c.* FROM cases c ${where('c.school_id = s.id')} ${order} LIMIT ${limitArg} + ${offsetArg}) c
           ${order} LIMIT ${limitArg} OFFSET ${offsetArg}`,
    count: `SELECT count(*)::int AS n FROM cases c ${where(schools === null ? null : `c.school_id = ANY(${schools})`)}`,
  };
}

/** A page that is short, and not past the end, already tells the exact total. */
export function knownTotal(query: { limit: number; offset: number }, rows: number): number | null {
  return rows < query.limit && (rows > 0 || query.offset === 0) ? query.offset + rows : null;
}

/** How long a process reuses the total of a queue filtered by school and status alone. */
export const QUEUE_TOTAL_CACHE_MS = 2_000;

/**
 * The default work queue (a school's cases, perhaps of one status) is asked for again and again,
 * and its exact count is the dearest part of a page. Such a total is kept briefly; this process's
 * own case writes drop it at once, another process's show within QUEUE_TOTAL_CACHE_MS.
 */
export function plainTotalKey(filter: CaseFilter): string | null {
  const { schoolIds, status, limit: _limit, offset: _offset, order: _order, ...rest } = filter;
  if (Object.values(rest).some((value) => value != null)) return null;
  return JSON.stringify([schoolIds ?? null, status ?? null]);
}
