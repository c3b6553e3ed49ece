import { beginMongoMarksImport } from './marks-import.ts';
import { applyingImport, pendingMarks } from './marks-import-apply.ts';
import { overlayMarks } from './marks-import-plan.ts';
import { purgeRegisterBatched } from './register-purge.ts';
import { toAmendment, toContact, toMark, toPupil, type ContactDoc, type PupilDoc } from './models.ts';
import { dateRange, isoDate, optionalText, text } from './values.ts';
import { type Contact, type SchoolMarksFilter, type Pupil } from '../types.ts';
import type { IsoDate } from '../../domain/types.ts';
import { MongoBase } from './base.ts';

/** Pupils, their contacts and the register: marks, amendments and their retention. */
export abstract class MongoRegister extends MongoBase {
  async upsertPupils(schoolId: string, pupils: Omit<Pupil, 'schoolId'>[]) {
    if (pupils.length === 0) return { inserted: 0, updated: 0 };
    const school = text(schoolId);
    const docs = pupils.map(
      (p): PupilDoc => ({
        schoolId: school,
        upn: text(p.upn),
        forename: text(p.forename),
        surname: text(p.surname),
        dateOfBirth: isoDate(p.dateOfBirth),
        yearGroup: text(p.yearGroup),
        vulnerability: p.vulnerability.map(text),
        onRoll: Boolean(p.onRoll),
      }),
    );
    // PostgreSQL refuses to upsert one row twice in a statement; the same UPN twice is a caller's error.
    const upns = new Set(docs.map((d) => d.upn));
    if (upns.size < docs.length) throw new Error('the same UPN appears more than once in one upsert');
    return this.transaction(async (session) => {
      if (!(await this.models.schools.exists({ _id: school }).session(session))) throw new Error(`school ${school} does not exist`);
      const result = await this.models.pupils.bulkWrite(
        docs.map(({ schoolId: _school, upn, ...fields }) => ({
          updateOne: { filter: { schoolId: school, upn }, update: { $set: fields }, upsert: true },
        })),
        { session, ordered: true },
      );
      return { inserted: result.upsertedCount, updated: result.matchedCount };
    });
  }

  async getPupil(schoolId: string, upn: string) {
    const doc = await this.models.pupils.findOne({ schoolId: text(schoolId), upn: text(upn) }).lean();
    return doc ? toPupil(doc) : null;
  }

  async listPupils(schoolId: string, upns?: string[]) {
    const filter = upns === undefined ? { schoolId: text(schoolId) } : { schoolId: text(schoolId), upn: { $in: upns.map(text) } };
    return (await this.models.pupils.find(filter).sort({ upn: 1 }).lean()).map(toPupil);
  }

  async replaceContacts(schoolId: string, contacts: Omit<Contact, 'schoolId'>[]) {
    if (contacts.length === 0) return { pupils: 0, contacts: 0 };
    const school = text(schoolId);
    const position = new Map<string, number>();
    const docs = contacts.map((c): ContactDoc => {
      const upn = text(c.upn);
      const next = (position.get(upn) ?? 0) + 1;
      position.set(upn, next);
      return {
        schoolId: school,
        upn,
        position: next,
        name: text(c.name),
        relationship: text(c.relationship),
        email: optionalText(c.email),
        phone: optionalText(c.phone),
        parentalResponsibility: Boolean(c.parentalResponsibility),
        livesWith: Boolean(c.livesWith),
        address: c.address ? { lines: c.address.lines.map(text), town: text(c.address.town), postcode: text(c.address.postcode) } : null,
      };
    });
    const upns = [...position.keys()];
    return this.transaction(async (session) => {
      const known = await this.models.pupils.find({ schoolId: school, upn: { $in: upns } }, { upn: 1 }).session(session).lean();
      const missing = upns.filter((upn) => !known.some((p) => p.upn === upn));
      if (missing.length > 0) throw new Error(`no pupil ${missing.join(', ')} at school ${school}`);
      await this.models.contacts.deleteMany({ schoolId: school, upn: { $in: upns } }, { session });
      await this.models.contacts.insertMany(docs, { session });
      return { pupils: upns.length, contacts: docs.length };
    });
  }

  async listContacts(schoolId: string, upn?: string) {
    const filter = upn === undefined ? { schoolId: text(schoolId) } : { schoolId: text(schoolId), upn: text(upn) };
    return (await this.models.contacts.find(filter).sort({ upn: 1, position: 1 }).lean()).map(toContact);
  }

  beginMarksImport(schoolId: string, meta: { actor: string; reason: string; at: Date }) {
    return beginMongoMarksImport({ db: this.db, models: this.models, transaction: (work) => this.transaction(work) }, schoolId, meta);
  }

  async listMarks(schoolId: string, upn: string, range: { from?: IsoDate; to?: IsoDate } = {}) {
    const school = text(schoolId);
    const filter = { upn: text(upn), ...dateRange(range) };
    // An import switched but not yet folded in is the register already: its marks are laid over.
    // Staging is read before `marks`, so marks folded in meanwhile are seen in one or the other.
    const pending = await applyingImport(this.db, school);
    const staged = pending ? await pendingMarks(this.db, pending, filter) : [];
    const marks = await this.models.marks.find({ schoolId: school, ...filter }).sort({ date: 1, session: 1 }).lean();
    return pending ? overlayMarks(marks, staged) : marks.map(toMark);
  }

  async *streamSchoolMarks(schoolId: string, filter: SchoolMarksFilter = {}) {
    // Keyset pagination by pupil keeps memory flat however large the school is.
    const school = text(schoolId);
    const dates = dateRange(filter);
    const wanted = filter.codes?.map(text);
    // One code is an equality, which the partial {code: 'N'} index serves.
    const codes = wanted ? { code: wanted.length === 1 ? wanted[0]! : { $in: wanted } } : {};
    const named = filter.upns ? { $in: filter.upns.map(text) } : {};
    const pageSize = 500;
    let after = '';
    for (;;) {
      const upns = (
        await this.models.pupils.find({ schoolId: school, upn: { ...named, $gt: after } }, { upn: 1 }).sort({ upn: 1 }).limit(pageSize).lean()
      ).map((p) => p.upn);
      if (upns.length === 0) return;
      const pending = await applyingImport(this.db, school);
      const staged = pending ? await pendingMarks(this.db, pending, { upn: { $in: upns }, ...dates }) : [];
      const applied = await this.models.marks
        .find({ schoolId: school, upn: { $in: upns }, ...dates, ...codes })
        .sort({ upn: 1, date: 1, session: 1 })
        .lean();
      const marks = pending ? overlayMarks(applied, staged, wanted) : applied.map(toMark);
      const byPupil = new Map(upns.map((upn) => [upn, [] as ReturnType<typeof toMark>[]]));
      for (const mark of marks) byPupil.get(mark.upn)!.push(mark);
      for (const [upn, pupilMarks] of byPupil) yield { upn, marks: pupilMarks };
      after = upns[upns.length - 1]!;
    }
  }

  async listAmendments(schoolId: string, upn: string) {
    return (await this.models.amendments.find({ schoolId: text(schoolId), upn: text(upn) }).sort({ seq: 1 }).lean()).map(toAmendment);
  }

  purgeRegisterBefore(date: IsoDate) {
    return purgeRegisterBatched(this.models, isoDate(date));
  }
}
