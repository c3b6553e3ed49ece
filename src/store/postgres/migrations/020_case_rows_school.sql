-- Issue 23, past one machine (docs/scaling.md): a case's timeline, timers and outbox effects carry
-- the case's school, the distribution key, so every statement on them can name it and, on Citus,
-- they live on the same node as their case. Filled from the case; the foreign keys now include the
-- school, so a row can never claim another school than its case's (and Citus accepts them: keys
-- between distributed tables must include the distribution column).
ALTER TABLE cases ADD CONSTRAINT cases_school_case_key UNIQUE (school_id, id);

ALTER TABLE case_timeline ADD COLUMN school_id text;
UPDATE case_timeline t SET school_id = c.school_id FROM cases c WHERE c.id = t.case_id;
ALTER TABLE case_timeline ALTER COLUMN school_id SET NOT NULL;
ALTER TABLE case_timeline DROP CONSTRAINT case_timeline_case_id_fkey;
ALTER TABLE case_timeline ADD CONSTRAINT case_timeline_case_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
-- A case's timeline in order: the case page, the evidence pack, a subject access request.
DROP INDEX case_timeline_case_idx;
CREATE INDEX case_timeline_case_idx ON case_timeline (school_id, case_id, seq);

ALTER TABLE case_timers ADD COLUMN school_id text;
UPDATE case_timers t SET school_id = c.school_id FROM cases c WHERE c.id = t.case_id;
ALTER TABLE case_timers ALTER COLUMN school_id SET NOT NULL;
ALTER TABLE case_timers DROP CONSTRAINT case_timers_case_id_fkey;
ALTER TABLE case_timers ADD CONSTRAINT case_timers_case_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
-- One timer per case and name (the upsert's conflict target), led by the school.
ALTER TABLE case_timers DROP CONSTRAINT case_timers_pkey;
ALTER TABLE case_timers ADD PRIMARY KEY (school_id, case_id, name);

-- Every effect has been written with its case (src/store/postgres/case-writes.ts), so every row
-- finds its school here; NOT NULL keeps it so.
ALTER TABLE outbox ADD COLUMN school_id text;
UPDATE outbox o SET school_id = c.school_id FROM cases c WHERE c.id = o.case_id;
ALTER TABLE outbox ALTER COLUMN school_id SET NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_case_id_fkey;
ALTER TABLE outbox ADD CONSTRAINT outbox_case_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
-- A case's effects (cancelled with its stage, listed on its page), and a school's.
DROP INDEX outbox_case_idx;
CREATE INDEX outbox_case_idx ON outbox (school_id, case_id);
