// pages: the outbox, a school's dashboard and a case's timeline, as a trust lead sees them, with
// 100,000 cases and 10,000 sent letters (each with its email and PDF) stored, under 64
// connections (autocannon), each against GET /healthz under the same load. A list reads no
// message bodies or PDFs: the letters' bodies are there to make reading them show.
import { GOALS } from './goals.ts';
import { growCases, LOAD, signedInService } from './http-load.ts';
import { benchDatabase, benchEnv, eveningOf, report } from './support.ts';

const CASES = 100_000;
const LETTERS = 10_000;
const env = benchEnv();
const { manifest } = env;
const db = await benchDatabase(env, 'bench_pages', 'bench_evaluate');
const { pool } = db.store;
const stored = await growCases(db.store, CASES);
// Letters as the dispatcher leaves them: an email of about 8 KB and a PDF of 16 KB each (random, so not compressed away).
await pool.query(
  `WITH open AS (SELECT id, school_id, row_number() OVER (ORDER BY id) AS n FROM cases WHERE status = 'open')
   INSERT INTO messages (id, effect_id, case_id, school_id, template, kind, recipient_role, recipient_name, recipient_email, subject, message_id, status, transport, raw, pdf, created_at, sent_at)
   SELECT 'bench-msg-' || g, 'bench-effect-' || g, c.id, c.school_id, 'stage1a', 'letter', 'parent', 'A Parent', 'parent@example.org',
          'Attendance letter', '<bench-' || g || '@bench.example.org>', 'sent', 'smtp',
          (SELECT string_agg(md5(g::text || r::text), '') FROM generate_series(1, 256) r),
          (SELECT decode(string_agg(md5(r::text || g::text), ''), 'hex') FROM generate_series(1, 1024) r),
          now() - g * interval '1 minute', now() - g * interval '1 minute'
     FROM generate_series(1, $1) g
     JOIN open c ON c.n = 1 + g % (SELECT count(*) FROM open)`,
  [LETTERS],
);
await pool.query('VACUUM ANALYZE messages');
const school = manifest.schools[0]!.id;
const withTimeline = (
  await pool.query<{ id: string; entries: number }>(
    `SELECT c.id, count(*)::int AS entries FROM cases c JOIN case_timeline t ON t.school_id = c.school_id AND t.case_id = c.id
      WHERE c.school_id = $1 AND c.status = 'open' GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1`,
    [school],
  )
).rows[0]!;
const service = await signedInService(db.store, eveningOf(manifest.schools[0]!.nextDay));
// The slowest last: requests autocannon gave up on are still being answered when it stops.
const PAGES = [
  { name: 'timeline', path: `/cases/${withTimeline.id}/timeline` },
  { name: 'outbox', path: '/outbox' },
  { name: 'dashboard', path: `/dashboard?school=${school}` },
];
for (const { path } of PAGES) {
  const probe = await service.get(path);
  if (probe.status !== 200) throw new Error(`${path}: ${probe.status} ${(await probe.text()).slice(0, 300)}`);
}
const health = await service.load('/healthz');
for (const { name, path } of PAGES) {
  // One request answered alone first: the previous load's backlog is gone, and its time is reported.
  const alone = performance.now();
  await (await service.get(path)).text();
  const aloneMs = Math.round(performance.now() - alone);
  const page = await service.load(path);
  const ratio = page.p97_5 / Math.max(health.p97_5, 1);
  report({
    name: `page-${name}`,
    size: { pupils: manifest.size.pupils, rows: stored },
    wallSeconds: page.seconds,
    rowsPerSecond: page.requests / page.seconds,
    baseline: { what: 'GET /healthz, same load', wallSeconds: health.seconds, rowsPerSecond: health.requests / health.seconds },
    ratio,
    goal: GOALS.page.text,
    met: GOALS.page.met(ratio, page.errors),
    detail: { path, aloneMs, letters: LETTERS, timelineEntries: withTimeline.entries, connections: LOAD.connections, page, health },
  });
}
await service.close();
await db.close();
