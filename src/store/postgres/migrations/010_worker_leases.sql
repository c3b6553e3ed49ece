-- Who holds what: each worker process beats here, and an outbox claim names the worker that made
-- it, so a process that starts after a crash can tell a dead worker's locks from a live one's.
CREATE TABLE worker_heartbeats (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL,
  beat_at timestamptz NOT NULL
);
ALTER TABLE outbox ADD COLUMN claimed_by text;
