import { inTransaction } from './pool.ts';
import { beginPostgresMarksImport } from './marks-import.ts';
import { streamSchoolMarks } from './school-marks.ts';
import { purgeSchoolRegister } from './mark-weeks.ts';
import { addDays, mondayOf } from '../../domain/dates.ts';
import { unpackWeek } from '../../domain/register-weeks.ts';
import { toContact, toPupil, type ContactRow, type PupilRow } from './rows.ts';
import { type SchoolMarksFilter, type Contact, type Pupil, type StoredMark } from '../types.ts';
import { PgBase } from './base.ts';

/** Pupils, their contacts and the register: marks, amendments and their retention. */
export abstract class PgRegister extends PgBase {
  async upsertPupils(schoolId: string, pupils: Omit<Pupil, 'schoolId'>[]) {
    if (pupils.length === 0) return { inserted: 0, updated: 0 };
    const result = await this.pool.query<{ inserted: number; updated: number }>(
      `WITH written AS (
         INSERT INTO pupils (school_id, upn, forename, surname, date_of_birth, year_group, vulnerability, on_roll)
         SELECT $1, upn, forename, surname, dob, year_group,
                ARRAY(SELECT jsonb_array_elements_text(vulnerability)), on_roll
           FROM unnest($2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::jsonb[], $8::boolean[])
             AS t(upn, forename, surname, dob, year_group, vulnerability, on_roll)
         ON CONFLICT (school_id, upn) DO UPDATE SET forename = EXCLUDED.forename, surname = EXCLUDED.surname,
           date_of_birth = EXCLUDED.date_of_birth, year_group = EXCLUDED.year_group,
           vulnerability = EXCLUDED.vulnerability, on_roll = EXCLUDED.on_roll
         RETURNING (xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`,
      [
        schoolId,
        pupils.map((p) => p.upn),
        pupils.map((p) => p.forename),
        pupils.map((p) => p.surname),
        pupils.map((p) => p.dateOfBirth),
        pupils.map((p) => p.yearGroup),
        pupils.map((p) => JSON.stringify(p.vulnerability)),
        pupils.map((p) => p.onRoll),
      ],
    );
    return result.rows[0]!;
  }

  async getPupil(schoolId: string, upn: string) {
    const row = (await this.pool.query<PupilRow>('SELECT * FROM pupils WHERE school_id = $1 AND upn = $2', [schoolId, upn])).rows[0];
    return row ? toPupil(row) : null;
  }

  async listPupils(schoolId: string, upns?: string[]) {
    return (
      await this.pool.query<PupilRow>('SELECT * FROM pupils WHERE school_id = $1 AND ($2::text[] IS NULL OR upn = ANY($2)) ORDER BY upn', [
        schoolId,
        upns ?? null,
      ])
    ).rows.map(toPupil);
  }

  async replaceContacts(schoolId: string, contacts: Omit<Contact, 'schoolId'>[]) {
    const upns = [...new Set(contacts.map((c) => c.upn))];
    return inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM contacts WHERE school_id = $1 AND upn = ANY($2::text[])', [schoolId, upns]);
      const position = new Map<string, number>();
      await client.query(
        `INSERT INTO contacts (school_id, upn, position, name, relationship, email, phone, parental_responsibility, lives_with, address_lines, town, postcode)
         SELECT $1, upn, position, name, relationship, email, phone, pr, lw,
                CASE WHEN address IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(address -> 'lines')) END,
                address ->> 'town', address ->> 'postcode'
         FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::jsonb[])
           AS c(upn, position, name, relationship, email, phone, pr, lw, address)`,
        [
          schoolId,
          contacts.map((c) => c.upn),
          contacts.map((c) => {
            const next = (position.get(c.upn) ?? 0) + 1;
            position.set(c.upn, next);
            return next;
          }),
          contacts.map((c) => c.name),
          contacts.map((c) => c.relationship),
          contacts.map((c) => c.email),
          contacts.map((c) => c.phone),
          contacts.map((c) => c.parentalResponsibility),
          contacts.map((c) => c.livesWith),
          // An array of text[] cannot be unnested row by row (Postgres arrays are rectangular): each address goes as one JSON value.
          contacts.map((c) => (c.address ? JSON.stringify({ lines: c.address.lines, town: c.address.town, postcode: c.address.postcode }) : null)),
        ],
      );
      return { pupils: upns.length, contacts: contacts.length };
    });
  }

  async listContacts(schoolId: string, upn?: string) {
    const rows = await this.pool.query<ContactRow>(
      'SELECT * FROM contacts WHERE school_id = $1 AND ($2::text IS NULL OR upn = $2) ORDER BY upn, position',
      [schoolId, upn ?? null],
    );
    return rows.rows.map(toContact);
  }

  beginMarksImport(schoolId: string, meta: { actor: string; reason: string; at: Date }) {
    return beginPostgresMarksImport(this.pool, schoolId, meta);
  }

  /** A pupil's marks, unpacked from their weeks (migration 019: the weeks are the register). */
  async listMarks(schoolId: string, upn: string, range: { from?: string; to?: string } = {}) {
    const { rows } = await this.pool.query<{ day: number; codes: string }>(
      `SELECT week - DATE '1970-01-01' AS day, codes FROM mark_weeks
        WHERE school_id = $1 AND upn = $2 AND ($3::date IS NULL OR week >= $3) AND ($4::date IS NULL OR week <= $4)
        ORDER BY week`,
      [schoolId, upn, range.from ? mondayOf(range.from) : null, range.to ?? null],
    );
    const marks: StoredMark[] = [];
    for (const { day, codes } of rows) unpackWeek(marks, upn, day, codes, (d) => addDays('1970-01-01', d), range);
    return marks;
  }

  streamSchoolMarks(schoolId: string, filter: SchoolMarksFilter = {}) {
    return streamSchoolMarks(this.pool, schoolId, filter);
  }

  async listAmendments(schoolId: string, upn: string) {
    const rows = await this.pool.query(
      `SELECT school_id AS "schoolId", upn, date, session, original_code AS "originalCode", new_code AS "newCode",
              reason, amended_by AS "amendedBy", amended_at AS "amendedAt"
         FROM mark_amendments WHERE school_id = $1 AND upn = $2 ORDER BY id`,
      [schoolId, upn],
    );
    return rows.rows;
  }

  /** Retention, school by school (the school is the distribution key: docs/scaling.md). */
  async purgeRegisterBefore(date: string) {
    return inTransaction(this.pool, async (client) => {
      const removed = { marks: 0, amendments: 0 };
      const schools = await client.query<{ id: string }>('SELECT id FROM schools ORDER BY id');
      for (const { id } of schools.rows) {
        const school = await purgeSchoolRegister(client, id, date);
        removed.marks += school.marks;
        removed.amendments += school.amendments;
      }
      return removed;
    });
  }
}
