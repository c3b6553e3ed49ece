import type { CodeCategory } from './types.ts';

export interface AttendanceCode {
  code: string;
  meaning: string;
  category: CodeCategory;
}

/**
 * The national attendance and absence codes of the School Attendance (Pupil Registration)
 * (England) Regulations 2024, as listed in *Working together to improve school attendance*
 * (August 2024) and the seeds' code appendices.
 */
export const ATTENDANCE_CODES: readonly AttendanceCode[] = [
  { code: '/', meaning: 'Present (AM)', category: 'present' },
  { code: '\\', meaning: 'Present (PM)', category: 'present' },
  { code: 'L', meaning: 'Late arrival before the register closed', category: 'present' },

  { code: 'K', meaning: 'Attending education provision arranged by the local authority', category: 'approvedEducation' },
  { code: 'V', meaning: 'Attending an educational visit or trip', category: 'approvedEducation' },
  { code: 'P', meaning: 'Participating in a sporting activity', category: 'approvedEducation' },
  { code: 'W', meaning: 'Attending work experience', category: 'approvedEducation' },
  { code: 'B', meaning: 'Attending any other approved educational activity', category: 'approvedEducation' },
  // The seeds list D beside the off-site codes, but the DfE counts it as no possible session
  // here: the session is possible (and recorded) at the other school where the pupil is registered,
  // so counting D as attended would hide absence from that setting.
  { code: 'D', meaning: 'Dual registered: attending another school at which the pupil is registered', category: 'notCounted' },

  { code: 'C1', meaning: 'Leave of absence: regulated performance or regulated employment abroad', category: 'authorised' },
  { code: 'M', meaning: 'Leave of absence: medical or dental appointment', category: 'authorised' },
  { code: 'J1', meaning: 'Leave of absence: interview', category: 'authorised' },
  { code: 'S', meaning: 'Leave of absence: study leave for a public examination', category: 'authorised' },
  { code: 'C2', meaning: 'Leave of absence: part-time timetable', category: 'authorised' },
  { code: 'C', meaning: 'Leave of absence: exceptional circumstances', category: 'authorised' },
  { code: 'T', meaning: 'Parent travelling for occupational purposes', category: 'authorised' },
  { code: 'R', meaning: 'Religious observance', category: 'authorised' },
  { code: 'I', meaning: 'Illness (not medical or dental appointment)', category: 'authorised' },
  { code: 'E', meaning: 'Suspended or excluded, no alternative provision made', category: 'authorised' },

  { code: 'G', meaning: 'Holiday not granted by the school', category: 'unauthorised' },
  { code: 'N', meaning: 'Reason for absence not yet established', category: 'unauthorised' },
  { code: 'O', meaning: 'Absent in other or unknown circumstances', category: 'unauthorised' },
  { code: 'U', meaning: 'Arrived after the register closed', category: 'unauthorised' },

  { code: 'X', meaning: 'Not of compulsory school age, not required to attend', category: 'notCounted' },
  { code: 'Q', meaning: 'Unable to attend: lack of access arrangements', category: 'notCounted' },
  { code: 'Y1', meaning: 'Unable to attend: transport normally provided not available', category: 'notCounted' },
  { code: 'Y2', meaning: 'Unable to attend: widespread disruption to travel', category: 'notCounted' },
  { code: 'Y3', meaning: 'Unable to attend: part of the school premises closed', category: 'notCounted' },
  { code: 'Y4', meaning: 'Unable to attend: whole school site unexpectedly closed', category: 'notCounted' },
  { code: 'Y5', meaning: 'Unable to attend: criminal justice detention', category: 'notCounted' },
  { code: 'Y6', meaning: 'Unable to attend: public health guidance or law', category: 'notCounted' },
  { code: 'Y7', meaning: 'Unable to attend: any other unavoidable cause', category: 'notCounted' },
  { code: 'Z', meaning: 'Prospective pupil not on the admission register', category: 'notCounted' },
  { code: '#', meaning: 'Planned whole-school closure', category: 'notCounted' },
];

const BY_CODE = new Map<string, AttendanceCode>(ATTENDANCE_CODES.map((c) => [c.code, c]));

/**
 * The codes that count towards the national penalty-notice threshold. N is left out on purpose:
 * it counts only once resolved to G, O or U.
 */
export const THRESHOLD_UNAUTHORISED_CODES: ReadonlySet<string> = new Set(['G', 'O', 'U']);

// Code tables copied out of PDFs (the seeds' appendices among them) carry Cyrillic letters that
// look exactly like the Latin codes; a school that types them means the Latin code.
const LOOKALIKES: Readonly<Record<string, string>> = {
  'В': 'B', 'С': 'C', 'Е': 'E', 'К': 'K', 'М': 'M', 'О': 'O', 'Р': 'P', 'Т': 'T', 'Х': 'X', 'У': 'Y',
};

/**
 * The national code a school meant, or null when the entry is not one: trims, upper-cases
 * (`c1` → `C1`) and reads look-alike Cyrillic letters as Latin. A digit 0 is not read as O:
 * an unauthorised absence is too consequential to guess.
 */
export function findCode(raw: string): AttendanceCode | null {
  const exact = BY_CODE.get(raw);
  if (exact !== undefined) return exact;
  let code = '';
  for (const ch of raw.trim().toUpperCase()) code += LOOKALIKES[ch] ?? ch;
  return BY_CODE.get(code) ?? null;
}

export function normaliseCode(raw: string): string | null {
  return findCode(raw)?.code ?? null;
}

// A mis-read mark must not silently count as anything, so the predicates throw on unknown codes.
function known(raw: string): AttendanceCode {
  const found = findCode(raw);
  if (found === null) throw new RangeError(`'${raw}' is not a national attendance code`);
  return found;
}

export function codeCategory(code: string): CodeCategory {
  return known(code).category;
}

/** G, O and U: the sessions that count towards the national penalty-notice threshold. */
export function isThresholdUnauthorised(code: string): boolean {
  return THRESHOLD_UNAUTHORISED_CODES.has(known(code).code);
}

/** Whether the session counts in the possible sessions that attendance % is measured against. */
export function isPossibleSession(code: string): boolean {
  return known(code).category !== 'notCounted';
}

/** Present, or attending approved education off-site (which counts as present). */
export function isAttending(code: string): boolean {
  const { category } = known(code);
  return category === 'present' || category === 'approvedEducation';
}
