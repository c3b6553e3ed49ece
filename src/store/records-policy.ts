// What the store keeps of a school's own policy (src/domain/policy-document.ts says what a document is).

/** The policy a school is editing: one per school, saved against the revision the editor saw. */
export interface PolicyDraft {
  schoolId: string;
  /** A policy document (base + overrides) as JSON; validated by the service before it is saved. */
  document: unknown;
  /** Raised by one with every save; the first save makes 1. */
  revision: number;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * A published version of a school's policy: never changed once written. Version 1 is the built-in
 * policy the school was set up with, so the first one stored is 2.
 */
export interface PolicyVersion {
  schoolId: string;
  version: number;
  document: unknown;
  publishedAt: Date;
  publishedBy: string;
  /** What changed, in the publisher's words. */
  note: string;
}
