-- Sign-in and access: staff accounts, server-side sessions, failed sign-ins (for rate limiting)
-- and the audit log of every read and change of a case or pupil.
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('pastoral', 'champion', 'ewo', 'trustLead', 'admin')),
  school_id text REFERENCES schools(id),
  trust_id text REFERENCES trusts(id),
  local_authority text,
  password_hash text,
  active boolean NOT NULL,
  created_at timestamptz NOT NULL
);

-- Only a hash of the session id is stored: a leaked table cannot be replayed as cookies.
CREATE TABLE auth_sessions (
  id_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX auth_sessions_expiry_idx ON auth_sessions (expires_at);

CREATE TABLE login_failures (
  id bigserial PRIMARY KEY,
  key text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX login_failures_key_idx ON login_failures (key, at);

CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  school_id text,
  case_id text,
  upn text,
  detail jsonb NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_case_idx ON audit_log (case_id, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);

-- The EWO's work list: cases with a notification to the EWO or the LA in their outbox.
CREATE INDEX outbox_notify_idx ON outbox ((payload->>'to'), case_id) WHERE kind = 'notify';
