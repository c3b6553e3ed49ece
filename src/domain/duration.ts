// One duration syntax for moving the demo clock, read by the CLI (`clock advance 3w`), the API
// (`POST /api/admin/clock/advance`) and the page's choices alike.

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
export const MAX_DURATION_DAYS = 400;
export const DURATION_SYNTAX = 'a number and a unit m, h, d or w (30m, 12h, 7d, 3w), at most 400 days';

/** Milliseconds, or null when `text` is not a duration in the one syntax (or is longer than 400 days). */
export function parseDuration(text: string): number | null {
  const match = /^([1-9]\d{0,3})([mhdw])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_DURATION_DAYS * UNIT_MS.d ? ms : null;
}
