-- On a day without a review the evaluation reads, for pupils with no open case, only their N
-- marks (an unresolved N is all such a day can raise for them). N is a small share of a register,
-- so this index is small and cheap to keep, and it spares reading every other mark of the school.
CREATE INDEX marks_unresolved_n_idx ON marks (school_id, upn, date) WHERE code = 'N';
