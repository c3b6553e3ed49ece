-- A school's column mapping for each kind of register file its MIS exports (pupils, contacts,
-- marks): saved once on the upload page, then used for every upload and drop-folder file.
-- The columns are a JSON list of {from, to}: a file's names are whatever the MIS writes.

CREATE TABLE register_mappings (
  school_id text NOT NULL REFERENCES schools(id),
  kind text NOT NULL CHECK (kind IN ('pupils', 'contacts', 'marks')),
  preset text,
  columns jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (school_id, kind)
);
