-- The packed weeks become the register (issue 23): `mark_weeks` holds every session's current
-- code, `mark_amendments` every change of one (original and new code, who, why, when); together
-- they are the legal record, and the row-per-session `marks` table goes. An import now writes a
-- row per pupil-week, a tenth of the rows, through a key a tenth the size
-- (src/store/postgres/mark-weeks.ts).
--
-- Migration 018 built the weeks from the marks and every write since kept both, so they should
-- agree; they are packed from the marks once more here all the same, so that whatever the weeks
-- held, the register after this migration is exactly the marks before it.
DELETE FROM mark_weeks;

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

DROP TABLE marks;
