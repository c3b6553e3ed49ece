import type { ColumnRename, RegisterKind, RegisterMapping } from '../types.ts';
import { PgBase } from './base.ts';

interface MappingRow {
  school_id: string;
  kind: RegisterKind;
  preset: string | null;
  columns: ColumnRename[];
  updated_at: Date;
  updated_by: string;
}

/** Each school's column mapping for the register files its MIS exports. */
export abstract class PgRegisterMappings extends PgBase {
  async getRegisterMapping(schoolId: string, kind: RegisterKind): Promise<RegisterMapping | null> {
    const { rows } = await this.pool.query<MappingRow>('SELECT * FROM register_mappings WHERE school_id = $1 AND kind = $2', [schoolId, kind]);
    const row = rows[0];
    if (!row) return null;
    return {
      schoolId: row.school_id,
      kind: row.kind,
      preset: row.preset,
      columns: row.columns.map(({ from, to }) => ({ from, to })),
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  async saveRegisterMapping(mapping: RegisterMapping): Promise<void> {
    const columns = JSON.stringify(mapping.columns.map(({ from, to }) => ({ from: String(from), to: String(to) })));
    await this.pool.query(
      `INSERT INTO register_mappings (school_id, kind, preset, columns, updated_at, updated_by) VALUES ($1, $2, $3, $4::jsonb, $5, $6)
       ON CONFLICT (school_id, kind) DO UPDATE SET preset = EXCLUDED.preset, columns = EXCLUDED.columns, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [mapping.schoolId, mapping.kind, mapping.preset, columns, mapping.updatedAt, mapping.updatedBy],
    );
  }
}
