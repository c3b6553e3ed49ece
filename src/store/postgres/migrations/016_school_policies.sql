-- A school's own policy: the draft it is editing (one per school, saved against its revision) and
-- every version it has published (never changed once written). Version 1 is the built-in policy
-- the school was set up with, so stored versions start at 2.

CREATE TABLE school_policy_drafts (
  school_id text PRIMARY KEY REFERENCES schools(id),
  document jsonb NOT NULL,
  revision integer NOT NULL CHECK (revision > 0),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);

CREATE TABLE school_policy_versions (
  school_id text NOT NULL REFERENCES schools(id),
  version integer NOT NULL CHECK (version > 1),
  document jsonb NOT NULL,
  published_at timestamptz NOT NULL,
  published_by text NOT NULL,
  note text NOT NULL,
  PRIMARY KEY (school_id, version)
);
