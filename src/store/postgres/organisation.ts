import { toSchool, type SchoolRow } from './rows.ts';
import { type School, type Trust } from '../types.ts';
import { PgBase } from './base.ts';

/** Trusts, schools and the service-wide settings. */
export abstract class PgOrganisation extends PgBase {
  async upsertTrust(trust: Trust) {
    await this.pool.query('INSERT INTO trusts (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [
      trust.id,
      trust.name,
    ]);
  }

  async getTrust(id: string) {
    return (await this.pool.query<Trust>('SELECT id, name FROM trusts WHERE id = $1', [id])).rows[0] ?? null;
  }

  async listTrusts() {
    return (await this.pool.query<Trust>('SELECT id, name FROM trusts ORDER BY name')).rows;
  }

  async upsertSchool(school: School) {
    await this.pool.query(
      `INSERT INTO schools (id, trust_id, name, workflow_id, local_authority, notify_emails)
       VALUES ($1, $2, $3, $4, $5, COALESCE($6::jsonb, '{}'::jsonb))
       ON CONFLICT (id) DO UPDATE SET trust_id = EXCLUDED.trust_id, name = EXCLUDED.name,
         workflow_id = EXCLUDED.workflow_id, local_authority = EXCLUDED.local_authority,
         notify_emails = COALESCE($6::jsonb, schools.notify_emails)`,
      [school.id, school.trustId, school.name, school.workflowId, school.localAuthority, school.notifyEmails ? JSON.stringify(school.notifyEmails) : null],
    );
  }

  async getSchool(id: string) {
    const row = (await this.pool.query<SchoolRow>('SELECT * FROM schools WHERE id = $1', [id])).rows[0];
    return row ? toSchool(row) : null;
  }

  async listSchools(filter: { trustId?: string } = {}) {
    const rows = await this.pool.query<SchoolRow>(
      'SELECT * FROM schools WHERE ($1::text IS NULL OR trust_id = $1) ORDER BY name',
      [filter.trustId ?? null],
    );
    return rows.rows.map(toSchool);
  }

  async getSetting(key: string) {
    return (await this.pool.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null;
  }

  async putSetting(key: string, value: unknown) {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
      key,
      JSON.stringify(value),
    ]);
  }
}
