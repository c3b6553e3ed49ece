// What the daily register feed keeps: each school's column mapping for the files its MIS exports.

/** The three register files a school sends (src/register/rows.ts says what each holds). */
export const REGISTER_KINDS = ['pupils', 'contacts', 'marks'] as const;
export type RegisterKind = (typeof REGISTER_KINDS)[number];

/** One column of a school's export: its name in the file (trimmed, lower case) and the column it is for ('' leaves it out). */
export interface ColumnRename {
  from: string;
  to: string;
}

/** How a school's export of one kind names its columns, saved once so every later file is read the same way. */
export interface RegisterMapping {
  schoolId: string;
  kind: RegisterKind;
  /** The preset it was started from ('sims', 'arbor', …), or null when the school mapped every column itself. */
  preset: string | null;
  columns: ColumnRename[];
  updatedAt: Date;
  updatedBy: string;
}
