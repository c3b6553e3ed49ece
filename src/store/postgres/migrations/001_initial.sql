-- Organisation, register, cases, timeline, outbox and timers.

CREATE TABLE trusts (
  id text PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE schools (
  id text PRIMARY KEY,
  trust_id text NOT NULL REFERENCES trusts(id),
  name text NOT NULL,
  workflow_id text NOT NULL,
  local_authority text NOT NULL
);
CREATE INDEX schools_trust_idx ON schools (trust_id);

CREATE TABLE pupils (
  school_id text NOT NULL REFERENCES schools(id),
  upn text NOT NULL,
  forename text NOT NULL,
  surname text NOT NULL,
  date_of_birth date NOT NULL,
  year_group text NOT NULL,
  vulnerability text[] NOT NULL DEFAULT '{}',
  on_roll boolean NOT NULL DEFAULT true,
  PRIMARY KEY (school_id, upn)
);

CREATE TABLE contacts (
  school_id text NOT NULL,
  upn text NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  relationship text NOT NULL,
  email text,
  phone text,
  parental_responsibility boolean NOT NULL,
  lives_with boolean NOT NULL,
  PRIMARY KEY (school_id, upn, position),
  FOREIGN KEY (school_id, upn) REFERENCES pupils (school_id, upn)
);

-- One mark per pupil and session; the primary key serves the per-pupil and rolling-window scans.
CREATE TABLE marks (
  school_id text NOT NULL,
  upn text NOT NULL,
  date date NOT NULL,
  session char(2) NOT NULL CHECK (session IN ('AM', 'PM')),
  code text NOT NULL,
  PRIMARY KEY (school_id, upn, date, session)
);
CREATE INDEX marks_school_date_idx ON marks (school_id, date);

CREATE TABLE mark_amendments (
  id bigserial PRIMARY KEY,
  school_id text NOT NULL,
  upn text NOT NULL,
  date date NOT NULL,
  session char(2) NOT NULL,
  original_code text NOT NULL,
  new_code text NOT NULL,
  reason text NOT NULL,
  amended_by text NOT NULL,
  amended_at timestamptz NOT NULL
);
CREATE INDEX mark_amendments_pupil_idx ON mark_amendments (school_id, upn, date);

CREATE TABLE cases (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  upn text NOT NULL,
  workflow_id text NOT NULL,
  machine_id text NOT NULL,
  machine_version integer NOT NULL,
  state text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  snapshot jsonb NOT NULL,
  version integer NOT NULL,
  opened_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (school_id, upn) REFERENCES pupils (school_id, upn)
);
-- A pupil has at most one open case: two evaluators racing to open one cannot both win.
CREATE UNIQUE INDEX cases_one_open_idx ON cases (school_id, upn) WHERE status = 'open';
CREATE INDEX cases_queue_idx ON cases (school_id, status, state, updated_at DESC);

CREATE TABLE case_timeline (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  case_id text NOT NULL REFERENCES cases(id),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  type text NOT NULL,
  from_state text,
  to_state text,
  evidence jsonb NOT NULL
);
CREATE INDEX case_timeline_case_idx ON case_timeline (case_id, seq);

CREATE TABLE outbox (
  id text PRIMARY KEY,
  case_id text REFERENCES cases(id),
  kind text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'waiting')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'running');
CREATE INDEX outbox_case_idx ON outbox (case_id);

CREATE TABLE case_timers (
  case_id text NOT NULL REFERENCES cases(id),
  name text NOT NULL,
  timer_id text NOT NULL UNIQUE,
  due_at timestamptz NOT NULL,
  event jsonb NOT NULL,
  PRIMARY KEY (case_id, name)
);
CREATE INDEX case_timers_due_idx ON case_timers (due_at);
