/**
 * The merge fields a wording may use, listed for the page from the sample case's own data (so the
 * list is the data's shape, never a second copy to keep in step), each with its sample value.
 */
export interface MergeField {
  /** As written in a wording: `pupil.forename`, or `record.weeks` for a list to loop over. */
  name: string;
  /** The sample case's value, or what the field is ("a list of …"). */
  example: string;
}

/** Fields that are not words: the logo's picture data. */
const HIDDEN = new Set(['letterhead.logo', 'evidenceLink']);
const EXAMPLE_CHARS = 60;

export function mergeFields(data: object): MergeField[] {
  const fields: MergeField[] = [];
  const visit = (name: string, value: unknown) => {
    if (HIDDEN.has(name)) return;
    if (Array.isArray(value)) {
      const first = value.find((item) => item !== null && item !== undefined);
      const isList = first !== null && typeof first === 'object';
      fields.push({ name, example: isList ? `a list (${value.length} in the sample): {% for item in ${name} %}` : value.map(String).join(', ').slice(0, EXAMPLE_CHARS) || '(none in the sample)' });
      if (isList) for (const [key, inner] of Object.entries(first as object)) visit(`${name}[].${key}`, inner);
      return;
    }
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      for (const [key, inner] of Object.entries(value)) visit(name ? `${name}.${key}` : key, inner);
      return;
    }
    const text = value === null || value === undefined ? '(none in the sample)' : String(value);
    fields.push({ name, example: text.length > EXAMPLE_CHARS ? `${text.slice(0, EXAMPLE_CHARS)}…` : text });
  };
  visit('', data);
  return fields;
}
