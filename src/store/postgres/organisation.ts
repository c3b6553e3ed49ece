import { toSchool, toTrust, type SchoolRow, type TrustRow } from './rows.ts';
import { type School, type Trust } from '../types.ts';
import { PgBase, SCHOOLS_CACHE_MS } from './base.ts';

/** `field = EXCLUDED.field` when the upsert gave it, else what is stored: a field left out is kept. */
const keptUnlessGiven = (table: string, column: string, givenParam: number) =>
  `${column} = CASE WHEN $${givenParam}::boolean THEN EXCLUDED.${column} ELSE ${table}.${column} END`;

/** Trusts, schools and the service-wide settings. */
export abstract class PgOrganisation extends PgBase {
  async upsertTrust(trust: Trust) {
    await this.pool.query(
      `INSERT INTO trusts (id, name, archived_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, ${keptUnlessGiven('trusts', 'archived_at', 4)}`,
      [trust.id, trust.name, trust.archivedAt ?? null, trust.archivedAt !== undefined],
    );
  }

  async getTrust(id: string) {
    const row = (await this.pool.query<TrustRow>('SELECT id, name, archived_at FROM trusts WHERE id = $1', [id])).rows[0];
    return row ? toTrust(row) : null;
  }

  async listTrusts() {
    return (await this.pool.query<TrustRow>('SELECT id, name, archived_at FROM trusts ORDER BY name, id')).rows.map(toTrust);
  }

  async upsertSchool(school: School) {
    this.schoolWrites += 1;
    this.schoolLists.clear();
    try {
      await this.pool.query(
        `INSERT INTO schools (id, trust_id, name, workflow_id, local_authority, notify_emails, urn, la_estab, phase, archived_at)
         VALUES ($1, $2, $3, $4, $5, COALESCE($6::jsonb, '{}'::jsonb), $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET trust_id = EXCLUDED.trust_id, name = EXCLUDED.name,
           workflow_id = EXCLUDED.workflow_id, local_authority = EXCLUDED.local_authority,
           notify_emails = COALESCE($6::jsonb, schools.notify_emails),
           ${keptUnlessGiven('schools', 'urn', 11)}, ${keptUnlessGiven('schools', 'la_estab', 12)},
           ${keptUnlessGiven('schools', 'phase', 13)}, ${keptUnlessGiven('schools', 'archived_at', 14)}`,
        [
          school.id,
          school.trustId,
          school.name,
          school.workflowId,
          school.localAuthority,
          school.notifyEmails ? JSON.stringify(school.notifyEmails) : null,
          school.urn ?? null,
          school.laEstab ?? null,
          school.phase ?? null,
          school.archivedAt ?? null,
          school.urn !== undefined,
          school.laEstab !== undefined,
          school.phase !== undefined,
          school.archivedAt !== undefined,
        ],
      );
    } finally {
      this.schoolLists.clear();
    }
  }

  async getSchool(id: string) {
    const row = (await this.pool.query<SchoolRow>('SELECT * FROM schools WHERE id = $1', [id])).rows[0];
    return row ? toSchool(row) : null;
  }

  async listSchools(filter: { trustId?: string } = {}) {
    const key = filter.trustId ?? '';
    let kept = this.schoolLists.get(key);
    const at = performance.now();
    if (!kept || at - kept.at >= SCHOOLS_CACHE_MS) {
      const writes = this.schoolWrites;
      const rows = await this.pool.query<SchoolRow>('SELECT * FROM schools WHERE ($1::text IS NULL OR trust_id = $1) ORDER BY name, id', [filter.trustId ?? null]);
      kept = { schools: rows.rows.map(toSchool), at };
      if (writes === this.schoolWrites) this.schoolLists.set(key, kept);
    }
    // Copies: a caller may change what it was given without changing what the next is given.
    return kept.schools.map((school) => ({ ...school }));
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

  async takeSetting(key: string, expected: unknown) {
    const deleted = await this.pool.query('DELETE FROM settings WHERE key = $1 AND value = $2::jsonb', [key, JSON.stringify(expected)]);
    return deleted.rowCount === 1;
  }
}
