-- A real trust sets itself up (issue 18): a trust administrator role, schools' DfE identifiers
-- and phase, and archiving instead of deleting (a school's cases stay on record).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('pastoral', 'champion', 'ewo', 'trustLead', 'trustAdmin', 'admin'));

ALTER TABLE trusts ADD COLUMN archived_at timestamptz;

ALTER TABLE schools ADD COLUMN urn text;
ALTER TABLE schools ADD COLUMN la_estab text;
ALTER TABLE schools ADD COLUMN phase text;
ALTER TABLE schools ADD COLUMN archived_at timestamptz;
CREATE UNIQUE INDEX schools_urn_key ON schools (urn) WHERE urn IS NOT NULL;
