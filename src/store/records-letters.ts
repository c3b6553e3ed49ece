// What a school keeps of its own letters: its letterhead and signatory, and its own wording of
// any template (src/letters/school-letters.ts checks both before they are kept).

/** The school's logo as uploaded: a PNG or JPEG, checked and bounded before it is stored. */
export interface LetterLogo {
  contentType: 'image/png' | 'image/jpeg';
  bytes: Buffer;
}

/** The top of every letter the school sends, and who signs it. */
export interface SchoolLetterhead {
  schoolId: string;
  /** The school's postal address, one line each (none: no address printed). */
  address: string[];
  phone: string | null;
  web: string | null;
  logo: LetterLogo | null;
  /** Who signs the school's letters, and as what ("Mrs J. Patel", "Headteacher"); null: each template's own role. */
  signatoryName: string | null;
  signatoryRole: string | null;
  updatedAt: Date;
  updatedBy: string;
}

/** A school's own wording of one template (its Nunjucks source), used instead of the model letter. */
export interface LetterOverride {
  schoolId: string;
  /** The template it replaces: `<workflow>/<name>`, as in templates/. */
  template: string;
  source: string;
  updatedAt: Date;
  updatedBy: string;
}
