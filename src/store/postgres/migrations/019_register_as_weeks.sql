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

-- The national code a packed character stands for: mark_code_char backwards.
CREATE FUNCTION mark_char_code(ch text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE ch
    WHEN '!' THEN 'C1' WHEN '%' THEN 'C2' WHEN '$' THEN 'J1'
    WHEN '1' THEN 'Y1' WHEN '2' THEN 'Y2' WHEN '3' THEN 'Y3' WHEN '4' THEN 'Y4'
    WHEN '5' THEN 'Y5' WHEN '6' THEN 'Y6' WHEN '7' THEN 'Y7'
    ELSE ch END $$;

-- The register as a row per session, for reading in SQL (an export, an audit, a test): each
-- week's items unpacked. The store itself unpacks in Node (src/domain/register-weeks.ts).
CREATE VIEW mark_sessions AS
SELECT w.school_id, w.upn,
       w.week + ((ascii(substr(w.codes, i, 1)) - 97) >> 1) AS date,
       CASE WHEN (ascii(substr(w.codes, i, 1)) - 97) & 1 = 1 THEN 'PM' ELSE 'AM' END AS session,
       mark_char_code(substr(w.codes, i + 1, 1)) AS code
  FROM mark_weeks w CROSS JOIN LATERAL generate_series(1, length(w.codes), 2) AS i;
