-- Letters and emails made from outbox effects, one row per recipient; the row's id (effect id +
-- recipient) is what keeps a re-run of an effect from sending twice.
CREATE TABLE messages (
  id text PRIMARY KEY,
  effect_id text NOT NULL,
  case_id text REFERENCES cases(id),
  school_id text NOT NULL REFERENCES schools(id),
  template text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('letter', 'notification')),
  recipient_role text NOT NULL,
  recipient_name text NOT NULL,
  recipient_email text,
  subject text NOT NULL,
  message_id text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'printOnly', 'failed')),
  transport text,
  raw text,
  pdf bytea,
  error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX messages_case_idx ON messages (case_id, created_at);
CREATE INDEX messages_effect_idx ON messages (effect_id);
CREATE INDEX messages_school_idx ON messages (school_id, created_at);

-- Where a school's notifications to professionals go: { ewo, la, homeSchool, office }.
ALTER TABLE schools ADD COLUMN notify_emails jsonb NOT NULL DEFAULT '{}'::jsonb;
