import { REGISTER_KINDS, type RegisterKind, type RegisterMapping } from '../types.ts';
import { MongoBase } from './base.ts';
import { toRegisterMapping } from './models-register-feed.ts';
import { instant, optionalText, text } from './values.ts';

function registerKind(value: unknown): RegisterKind {
  const kind = String(value);
  if (!(REGISTER_KINDS as readonly string[]).includes(kind)) throw new RangeError(`not a register file kind (${REGISTER_KINDS.join(', ')}): ${kind}`);
  return kind as RegisterKind;
}

/** Each school's column mapping for the register files its MIS exports. */
export abstract class MongoRegisterMappings extends MongoBase {
  async getRegisterMapping(schoolId: string, kind: RegisterKind): Promise<RegisterMapping | null> {
    const doc = await this.models.registerMappings.findById(`${text(schoolId)}:${registerKind(kind)}`).lean();
    return doc ? toRegisterMapping(doc) : null;
  }

  async saveRegisterMapping(mapping: RegisterMapping): Promise<void> {
    const schoolId = text(mapping.schoolId);
    const kind = registerKind(mapping.kind);
    // As PostgreSQL's foreign key: a mapping belongs to a school that exists.
    if (!(await this.models.schools.exists({ _id: schoolId }))) throw new Error(`school ${schoolId} does not exist`);
    const fields = {
      schoolId,
      kind,
      preset: optionalText(mapping.preset),
      columns: mapping.columns.map(({ from, to }) => ({ from: text(from), to: text(to) })),
      updatedAt: instant(mapping.updatedAt),
      updatedBy: text(mapping.updatedBy),
    };
    await this.models.registerMappings.replaceOne({ _id: `${schoolId}:${kind}` }, fields, { upsert: true });
  }
}
