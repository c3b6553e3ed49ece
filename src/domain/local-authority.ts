// A local authority is named in many ways ("West Berkshire", "West Berkshire Council", "Coventry
// City Council"); the service keeps one id for it, so a school and the EWOs of its LA match, and a
// school finds the term dates held for its LA.

/** The id of a local authority however it is written: "Coventry City Council" → `coventry`. */
export function localAuthorityId(name: string): string {
  return name
    .toLowerCase()
    .replace(/\b(city|metropolitan|borough|district|county|council|of)\b/g, ' ')
    .trim()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A local authority's id as people read it: `west-berkshire` → "West Berkshire". */
export function localAuthorityName(id: string): string {
  return id
    .split('-')
    .filter(Boolean)
    .map((word) => (word === 'and' || word === 'upon' || word === 'on' ? word : `${word.charAt(0).toUpperCase()}${word.slice(1)}`))
    .join(' ');
}
