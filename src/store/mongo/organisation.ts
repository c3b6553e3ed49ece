import { toJson, fromJson, toSchool, toTrust } from './models.ts';
import { text } from './values.ts';
import { type School, type Trust } from '../types.ts';
import { MongoBase } from './base.ts';

/** The details an upsert gave: one left out keeps what is stored, as in PostgreSQL. */
function givenDetails(school: School): Partial<Pick<School, 'urn' | 'laEstab' | 'phase' | 'archivedAt'>> {
  const given: Partial<Pick<School, 'urn' | 'laEstab' | 'phase' | 'archivedAt'>> = {};
  if (school.urn !== undefined) given.urn = school.urn === null ? null : text(school.urn);
  if (school.laEstab !== undefined) given.laEstab = school.laEstab === null ? null : text(school.laEstab);
  if (school.phase !== undefined) given.phase = school.phase;
  if (school.archivedAt !== undefined) given.archivedAt = school.archivedAt;
  return given;
}

/** Trusts, schools and the service-wide settings. */
export abstract class MongoOrganisation extends MongoBase {
  async upsertTrust(trust: Trust) {
    const archived = trust.archivedAt === undefined ? {} : { archivedAt: trust.archivedAt };
    await this.models.trusts.updateOne({ _id: text(trust.id) }, { $set: { name: text(trust.name), ...archived } }, { upsert: true });
  }

  async getTrust(id: string) {
    const doc = await this.models.trusts.findById(text(id)).lean();
    return doc ? toTrust(doc) : null;
  }

  async listTrusts() {
    return (await this.models.trusts.find().sort({ name: 1, _id: 1 }).lean()).map(toTrust);
  }

  async upsertSchool(school: School) {
    const trustId = text(school.trustId);
    if (!(await this.models.trusts.exists({ _id: trustId }))) throw new Error(`trust ${trustId} does not exist`);
    const fields = { trustId, name: text(school.name), workflowId: text(school.workflowId), localAuthority: text(school.localAuthority), ...givenDetails(school) };
    // As in PostgreSQL: mailboxes left out of an upsert keep what is stored.
    await this.models.schools.updateOne(
      { _id: text(school.id) },
      school.notifyEmails
        ? { $set: { ...fields, notifyEmails: toJson(school.notifyEmails) } }
        : { $set: fields, $setOnInsert: { notifyEmails: toJson({}) } },
      { upsert: true },
    );
  }

  async getSchool(id: string) {
    const doc = await this.models.schools.findById(text(id)).lean();
    return doc ? toSchool(doc) : null;
  }

  async listSchools(filter: { trustId?: string } = {}) {
    const query = filter.trustId == null ? {} : { trustId: text(filter.trustId) };
    return (await this.models.schools.find(query).sort({ name: 1, _id: 1 }).lean()).map(toSchool);
  }

  async getSetting(key: string) {
    const doc = await this.models.settings.findById(text(key)).lean();
    return doc ? fromJson(doc.value) : null;
  }

  async takeSetting(key: string, expected: unknown) {
    return (await this.models.settings.deleteOne({ _id: text(key), value: toJson(expected) })).deletedCount === 1;
  }

  async putSetting(key: string, value: unknown) {
    await this.models.settings.updateOne({ _id: text(key) }, { $set: { value: toJson(value) } }, { upsert: true });
  }
}
