import type { PolicyDraft, PolicyVersion } from '../types.ts';
import { PgBase } from './base.ts';

interface DraftRow {
  school_id: string;
  document: unknown;
  revision: number;
  updated_at: Date;
  updated_by: string;
}

interface VersionRow {
  school_id: string;
  version: number;
  document: unknown;
  published_at: Date;
  published_by: string;
  note: string;
}

const toDraft = (row: DraftRow): PolicyDraft => ({ schoolId: row.school_id, document: row.document, revision: row.revision, updatedAt: row.updated_at, updatedBy: row.updated_by });
const toVersion = (row: VersionRow): PolicyVersion => ({
  schoolId: row.school_id,
  version: row.version,
  document: row.document,
  publishedAt: row.published_at,
  publishedBy: row.published_by,
  note: row.note,
});

/** A school's policy documents: its draft and its published versions. */
export abstract class PgPolicies extends PgBase {
  async getPolicyDraft(schoolId: string): Promise<PolicyDraft | null> {
    const { rows } = await this.pool.query<DraftRow>('SELECT * FROM school_policy_drafts WHERE school_id = $1', [schoolId]);
    return rows[0] ? toDraft(rows[0]) : null;
  }

  async savePolicyDraft(schoolId: string, document: unknown, meta: { expectedRevision: number; by: string; at: Date }): Promise<PolicyDraft | null> {
    // One statement either way: a save against a revision another save already raised matches nothing.
    const { rows } =
      meta.expectedRevision === 0
        ? await this.pool.query<DraftRow>(
            `INSERT INTO school_policy_drafts (school_id, document, revision, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4)
             ON CONFLICT (school_id) DO NOTHING RETURNING *`,
            [schoolId, JSON.stringify(document), meta.at, meta.by],
          )
        : await this.pool.query<DraftRow>(
            `UPDATE school_policy_drafts SET document = $2, revision = revision + 1, updated_at = $4, updated_by = $5
             WHERE school_id = $1 AND revision = $3 RETURNING *`,
            [schoolId, JSON.stringify(document), meta.expectedRevision, meta.at, meta.by],
          );
    return rows[0] ? toDraft(rows[0]) : null;
  }

  async publishPolicyVersion(version: PolicyVersion): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO school_policy_versions (school_id, version, document, published_at, published_by, note) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (school_id, version) DO NOTHING`,
      [version.schoolId, version.version, JSON.stringify(version.document), version.publishedAt, version.publishedBy, version.note],
    );
    return rowCount === 1;
  }

  async listPolicyVersions(schoolId: string): Promise<PolicyVersion[]> {
    const { rows } = await this.pool.query<VersionRow>('SELECT * FROM school_policy_versions WHERE school_id = $1 ORDER BY version', [schoolId]);
    return rows.map(toVersion);
  }
}
