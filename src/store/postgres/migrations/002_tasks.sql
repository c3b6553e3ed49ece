-- Staff tasks: made by workflow effects (createTask), failed deliveries and register hygiene.
CREATE TABLE tasks (
  id text PRIMARY KEY,
  case_id text REFERENCES cases(id),
  school_id text NOT NULL REFERENCES schools(id),
  kind text NOT NULL,
  title text NOT NULL,
  due_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  assignee text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  completed_by text,
  note text
);
CREATE INDEX tasks_queue_idx ON tasks (school_id, status, due_date);
CREATE INDEX tasks_case_idx ON tasks (case_id);
