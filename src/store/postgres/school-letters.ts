import type { LetterOverride, SchoolLetterhead } from '../types.ts';
import { PgBase } from './base.ts';

interface LetterheadRow {
  school_id: string;
  address: string[];
  phone: string | null;
  web: string | null;
  logo_type: 'image/png' | 'image/jpeg' | null;
  logo: Buffer | null;
  signatory_name: string | null;
  signatory_role: string | null;
  updated_at: Date;
  updated_by: string;
}

interface OverrideRow {
  school_id: string;
  template: string;
  source: string;
  updated_at: Date;
  updated_by: string;
}

const toOverride = (row: OverrideRow): LetterOverride => ({ schoolId: row.school_id, template: row.template, source: row.source, updatedAt: row.updated_at, updatedBy: row.updated_by });

/** Each school's letterhead and signatory, and its own wording of templates. */
export abstract class PgSchoolLetters extends PgBase {
  async getLetterhead(schoolId: string): Promise<SchoolLetterhead | null> {
    const { rows } = await this.pool.query<LetterheadRow>('SELECT * FROM school_letterheads WHERE school_id = $1', [schoolId]);
    const row = rows[0];
    if (!row) return null;
    return {
      schoolId: row.school_id,
      address: row.address,
      phone: row.phone,
      web: row.web,
      logo: row.logo && row.logo_type ? { contentType: row.logo_type, bytes: row.logo } : null,
      signatoryName: row.signatory_name,
      signatoryRole: row.signatory_role,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  async saveLetterhead(letterhead: SchoolLetterhead): Promise<void> {
    const { schoolId, address, phone, web, logo, signatoryName, signatoryRole, updatedAt, updatedBy } = letterhead;
    await this.pool.query(
      `INSERT INTO school_letterheads (school_id, address, phone, web, logo_type, logo, signatory_name, signatory_role, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (school_id) DO UPDATE SET address = EXCLUDED.address, phone = EXCLUDED.phone, web = EXCLUDED.web, logo_type = EXCLUDED.logo_type,
         logo = EXCLUDED.logo, signatory_name = EXCLUDED.signatory_name, signatory_role = EXCLUDED.signatory_role, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [schoolId, address.map(String), phone, web, logo?.contentType ?? null, logo?.bytes ?? null, signatoryName, signatoryRole, updatedAt, updatedBy],
    );
  }

  async listLetterOverrides(schoolId: string): Promise<LetterOverride[]> {
    const { rows } = await this.pool.query<OverrideRow>('SELECT * FROM letter_overrides WHERE school_id = $1 ORDER BY template', [schoolId]);
    return rows.map(toOverride);
  }

  async saveLetterOverride(override: LetterOverride): Promise<void> {
    await this.pool.query(
      `INSERT INTO letter_overrides (school_id, template, source, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (school_id, template) DO UPDATE SET source = EXCLUDED.source, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [override.schoolId, override.template, override.source, override.updatedAt, override.updatedBy],
    );
  }

  async deleteLetterOverride(schoolId: string, template: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM letter_overrides WHERE school_id = $1 AND template = $2', [schoolId, template]);
    return (rowCount ?? 0) > 0;
  }
}
