-- Service-wide settings shared by every process, such as the demo clock.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);
