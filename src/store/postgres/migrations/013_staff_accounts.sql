-- Staff accounts (issue 18): one-time links to set a password (only the token's hash is kept),
-- single sign-on linked by the provider's subject, and cases assigned to named staff.
CREATE TABLE staff_tokens (
  hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  purpose text NOT NULL CHECK (purpose IN ('invite', 'reset')),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX staff_tokens_user_idx ON staff_tokens (user_id);

-- One link per account and one account per subject: an email changed at the provider keeps
-- working, another person given the same email there does not get in.
CREATE TABLE staff_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id text NOT NULL UNIQUE REFERENCES users(id),
  linked_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, subject)
);

-- When each account last signed in, for the Staff page (one row per account, overwritten).
CREATE TABLE staff_sign_ins (
  user_id text PRIMARY KEY REFERENCES users(id),
  at timestamptz NOT NULL
);

-- Goes with its case when retention deletes a closed one.
CREATE TABLE case_assignments (
  case_id text PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users(id),
  assigned_at timestamptz NOT NULL,
  assigned_by text NOT NULL
);
CREATE INDEX case_assignments_user_idx ON case_assignments (user_id);
