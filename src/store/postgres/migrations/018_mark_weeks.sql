-- The register as the evaluation reads it (issue 23): one row per pupil per calendar week, kept in
-- the same transaction as every write to marks (src/store/postgres/mark-weeks.ts). `marks` stays
-- the legal record, a row per session with its amendments; the evaluation, the trends and the
-- daily look-back read this instead: a tenth of the rows, each pupil's year in about 40 of them.
-- The packing is src/domain/register-weeks.ts: per session, the slot ('a' + weekday from Monday
-- × 2 + 1 for PM) then the code as one character; the two functions below mirror its tables.

-- Plain SQL bodies, neither STRICT nor SQL-standard, so the planner inlines them: called per mark
-- otherwise, they cost ten times the rest of packing a week.
CREATE FUNCTION mark_code_char(code text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE code
    WHEN 'C1' THEN '!' WHEN 'C2' THEN '%' WHEN 'J1' THEN '$'
    WHEN 'Y1' THEN '1' WHEN 'Y2' THEN '2' WHEN 'Y3' THEN '3' WHEN 'Y4' THEN '4'
    WHEN 'Y5' THEN '5' WHEN 'Y6' THEN '6' WHEN 'Y7' THEN '7'
    ELSE code END $$;

CREATE FUNCTION mark_code_category(code text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE
    WHEN code IN ('/', '\', 'L') THEN 'present'
    WHEN code IN ('K', 'V', 'P', 'W', 'B') THEN 'approvedEducation'
    WHEN code IN ('C1', 'M', 'J1', 'S', 'C2', 'C', 'T', 'R', 'I', 'E') THEN 'authorised'
    WHEN code IN ('G', 'N', 'O', 'U') THEN 'unauthorised'
    ELSE 'notCounted' END $$;

CREATE TABLE mark_weeks (
  school_id text NOT NULL,
  upn text NOT NULL,
  -- The Monday of the week.
  week date NOT NULL CHECK (extract(isodow FROM week) = 1),
  codes text NOT NULL,
  possible smallint NOT NULL,
  present smallint NOT NULL,
  approved smallint NOT NULL,
  authorised smallint NOT NULL,
  unauthorised smallint NOT NULL,
  -- G, O and U: what the national threshold counts.
  threshold smallint NOT NULL,
  n smallint NOT NULL,
  PRIMARY KEY (school_id, upn, week)
);

INSERT INTO mark_weeks (school_id, upn, week, codes, possible, present, approved, authorised, unauthorised, threshold, n)
SELECT school_id, upn, week,
       string_agg(chr(97 + (date - week) * 2 + (session = 'PM')::int) || mark_code_char(code), '' ORDER BY date, session),
       count(*) FILTER (WHERE mark_code_category(code) <> 'notCounted'),
       count(*) FILTER (WHERE mark_code_category(code) = 'present'),
       count(*) FILTER (WHERE mark_code_category(code) = 'approvedEducation'),
       count(*) FILTER (WHERE mark_code_category(code) = 'authorised'),
       count(*) FILTER (WHERE mark_code_category(code) = 'unauthorised'),
       count(*) FILTER (WHERE code IN ('G', 'O', 'U')),
       count(*) FILTER (WHERE code = 'N')
  FROM (SELECT m.*, m.date - (extract(isodow FROM m.date)::int - 1) AS week FROM marks m) m
 GROUP BY school_id, upn, week;

-- Nothing reads marks by school and date, or their N codes alone, any more: the weeks answer
-- both. Each index cost about a third of the time of inserting a mark.
DROP INDEX marks_school_date_idx;
DROP INDEX marks_unresolved_n_idx;
