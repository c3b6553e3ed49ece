import type { LetterOverride, SchoolLetterhead } from '../types.ts';
import { MongoBase } from './base.ts';
import { toLetterhead, toLetterOverride } from './models-letters.ts';
import { instant, optionalText, text } from './values.ts';

/** As PostgreSQL's foreign key: letters belong to a school that exists. */
async function requireSchool(models: MongoBase['models'], schoolId: string) {
  if (!(await models.schools.exists({ _id: schoolId }))) throw new Error(`school ${schoolId} does not exist`);
}

/** Each school's letterhead and signatory, and its own wording of templates. */
export abstract class MongoSchoolLetters extends MongoBase {

  async getLetterhead(schoolId: string): Promise<SchoolLetterhead | null> {
    const doc = await this.models.letterheads.findById(text(schoolId)).lean();
    return doc ? toLetterhead(doc) : null;
  }

  async saveLetterhead(letterhead: SchoolLetterhead): Promise<void> {
    const schoolId = text(letterhead.schoolId);
    await requireSchool(this.models, schoolId);
    const fields = {
      address: letterhead.address.map(text),
      phone: optionalText(letterhead.phone),
      web: optionalText(letterhead.web),
      logoType: letterhead.logo ? (letterhead.logo.contentType === 'image/png' ? 'image/png' : 'image/jpeg') : null,
      logo: letterhead.logo ? Buffer.from(letterhead.logo.bytes) : null,
      signatoryName: optionalText(letterhead.signatoryName),
      signatoryRole: optionalText(letterhead.signatoryRole),
      updatedAt: instant(letterhead.updatedAt),
      updatedBy: text(letterhead.updatedBy),
    };
    await this.models.letterheads.replaceOne({ _id: schoolId }, fields, { upsert: true });
  }

  async listLetterOverrides(schoolId: string): Promise<LetterOverride[]> {
    const docs = await this.models.letterOverrides.find({ schoolId: text(schoolId) }).sort({ template: 1 }).lean();
    return docs.map(toLetterOverride);
  }

  async saveLetterOverride(override: LetterOverride): Promise<void> {
    const schoolId = text(override.schoolId);
    const template = text(override.template);
    await requireSchool(this.models, schoolId);
    const fields = { schoolId, template, source: text(override.source), updatedAt: instant(override.updatedAt), updatedBy: text(override.updatedBy) };
    await this.models.letterOverrides.replaceOne({ _id: `${schoolId}:${template}` }, fields, { upsert: true });
  }

  async deleteLetterOverride(schoolId: string, template: string): Promise<boolean> {
    const { deletedCount } = await this.models.letterOverrides.deleteOne({ _id: `${text(schoolId)}:${text(template)}` });
    return deletedCount > 0;
  }
}
