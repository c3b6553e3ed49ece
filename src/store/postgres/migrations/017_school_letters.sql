-- Each school's own letters: its letterhead (address, phone, web, logo) and signatory, and its own
-- wording of any template. The logo is kept here, not on disk: it is small (the upload is capped)
-- and goes wherever the database goes, backups included.

CREATE TABLE school_letterheads (
  school_id text PRIMARY KEY REFERENCES schools(id),
  address text[] NOT NULL DEFAULT '{}',
  phone text,
  web text,
  logo_type text CHECK (logo_type IN ('image/png', 'image/jpeg')),
  logo bytea,
  signatory_name text,
  signatory_role text,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  CONSTRAINT school_letterheads_logo_whole CHECK ((logo IS NULL) = (logo_type IS NULL))
);

CREATE TABLE letter_overrides (
  school_id text NOT NULL REFERENCES schools(id),
  template text NOT NULL,
  source text NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (school_id, template)
);
