import type { PolicyDraft, PolicyVersion } from '../types.ts';
import { isDuplicateKeyIn, MongoBase } from './base.ts';
import { toPolicyDraft, toPolicyVersion } from './models-policy.ts';
import { toJson } from './models-base.ts';
import { instant, integer, text } from './values.ts';

/** A school's policy documents: its draft and its published versions. */
export abstract class MongoPolicies extends MongoBase {
  async getPolicyDraft(schoolId: string): Promise<PolicyDraft | null> {
    const doc = await this.models.policyDrafts.findById(text(schoolId)).lean();
    return doc ? toPolicyDraft(doc) : null;
  }

  async savePolicyDraft(schoolId: string, document: unknown, meta: { expectedRevision: number; by: string; at: Date }): Promise<PolicyDraft | null> {
    const id = text(schoolId);
    // As PostgreSQL's foreign key: a draft belongs to a school that exists.
    if (!(await this.models.schools.exists({ _id: id }))) throw new Error(`school ${id} does not exist`);
    const fields = { document: toJson(document), updatedAt: instant(meta.at), updatedBy: text(meta.by) };
    const expected = integer(meta.expectedRevision);
    if (expected === 0) {
      try {
        await this.models.policyDrafts.create({ _id: id, revision: 1, ...fields });
      } catch (error) {
        if (isDuplicateKeyIn(error, '_id_')) return null;
        throw error;
      }
      return this.getPolicyDraft(id);
    }
    const saved = await this.models.policyDrafts.findOneAndUpdate({ _id: id, revision: expected }, { $set: fields, $inc: { revision: 1 } }, { returnDocument: 'after' }).lean();
    return saved ? toPolicyDraft(saved) : null;
  }

  async publishPolicyVersion(version: PolicyVersion): Promise<boolean> {
    const schoolId = text(version.schoolId);
    if (!(await this.models.schools.exists({ _id: schoolId }))) throw new Error(`school ${schoolId} does not exist`);
    const number = integer(version.version);
    if (number < 2) throw new RangeError('a stored policy version is 2 or more: version 1 is the built-in policy');
    try {
      await this.models.policyVersions.create({
        _id: `${schoolId}#${number}`,
        schoolId,
        version: number,
        document: toJson(version.document),
        publishedAt: instant(version.publishedAt),
        publishedBy: text(version.publishedBy),
        note: String(version.note),
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyIn(error, '_id_')) return false;
      throw error;
    }
  }

  async listPolicyVersions(schoolId: string): Promise<PolicyVersion[]> {
    const docs = await this.models.policyVersions.find({ schoolId: text(schoolId) }).sort({ version: 1 }).lean();
    return docs.map(toPolicyVersion);
  }
}
