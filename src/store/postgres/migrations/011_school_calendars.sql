-- A school's own calendar: its term dates (where it keeps its own), INSET days, closures and
-- holidays, on top of its local authority's term dates. One row per school carries the revision
-- that every save checks and raises, so two people editing at once cannot undo each other.

CREATE TABLE school_calendars (
  school_id text PRIMARY KEY REFERENCES schools(id),
  revision integer NOT NULL CHECK (revision > 0),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);

CREATE TABLE school_calendar_entries (
  school_id text NOT NULL REFERENCES school_calendars(school_id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('term', 'inset', 'closure', 'holiday', 'bank-holiday')),
  start_date date NOT NULL,
  end_date date NOT NULL CHECK (end_date >= start_date),
  description text NOT NULL,
  PRIMARY KEY (school_id, kind, start_date, end_date)
);
