-- A contact's postal address, for letters sent by post: one or two lines above the town, the post
-- town and the postcode (normalised on import). All three or none: an address without a town or
-- postcode cannot be posted, and the import refuses one.
ALTER TABLE contacts
  ADD COLUMN address_lines text[],
  ADD COLUMN town text,
  ADD COLUMN postcode text,
  ADD CONSTRAINT contacts_address_whole CHECK (
    (address_lines IS NULL AND town IS NULL AND postcode IS NULL)
    OR (cardinality(address_lines) BETWEEN 1 AND 2 AND town IS NOT NULL AND postcode IS NOT NULL)
  );
