-- The work queue lists cases overdue first: each case keeps the due date of its earliest open task,
-- maintained by a trigger on tasks so that no writer can forget it, and indexed for the queue.
ALTER TABLE cases ADD COLUMN next_task_due date;

UPDATE cases c SET next_task_due = (SELECT min(t.due_date) FROM tasks t WHERE t.case_id = c.id AND t.status = 'open');

CREATE FUNCTION refresh_case_next_task_due() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.case_id IS NOT NULL THEN
    UPDATE cases SET next_task_due = (SELECT min(due_date) FROM tasks WHERE case_id = OLD.case_id AND status = 'open')
     WHERE id = OLD.case_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.case_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.status IS DISTINCT FROM OLD.status
          OR NEW.due_date IS DISTINCT FROM OLD.due_date) THEN
    UPDATE cases SET next_task_due = (SELECT min(due_date) FROM tasks WHERE case_id = NEW.case_id AND status = 'open')
     WHERE id = NEW.case_id;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tasks_refresh_case_next_task_due AFTER INSERT OR UPDATE OR DELETE ON tasks
  FOR EACH ROW EXECUTE FUNCTION refresh_case_next_task_due();

CREATE INDEX cases_due_first_idx ON cases (school_id, next_task_due NULLS LAST, updated_at DESC, id);
