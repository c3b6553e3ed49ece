import { describe, it, expect } from 'vitest';
import { allTemplates, templateKind } from '../../../src/letters/catalogue.ts';
import { addressTo, assembleLetterData, type Addressee } from '../../../src/letters/letter-data.ts';
import { caseReference, renderMessage, subjectWithoutPupil } from '../../../src/letters/render.ts';
import { sampleLetterSource } from '../../../src/demo/letter-sample.ts';

const ewo: Addressee = { role: 'ewo', name: 'Education Welfare Officer', relationship: 'ewo', email: 'ewo@example.org', address: null, key: 'ewo' };
const workflowOf = (template: string) => (template.startsWith('national/') ? 'national' : (template.split('/')[0] ?? 'national'));
const notifications = allTemplates().filter((template) => templateKind(template) === 'notification');

describe('what the subject of an email to a professional says', () => {
  it.each(notifications)('when %s is sent to the EWO or LA, then its subject names no pupil, only the case reference', (template) => {
    const data = addressTo(assembleLetterData(sampleLetterSource(workflowOf(template))), ewo);
    const { subject } = renderMessage(template, data);
    for (const part of [data.pupil.forename, data.pupil.surname, data.pupil.upn]) expect(subject).not.toContain(part);
    expect(subject).toContain(`ref ${caseReference(data.case.id)}`);
  });

  it('when a name is also part of another word, then only the name is replaced', () => {
    const data = { pupil: { fullName: 'Lea Ash', forename: 'Lea', surname: 'Ash', upn: 'A123456789012' }, case: { id: 'c0ffee12-3456' } } as Parameters<typeof subjectWithoutPupil>[1];
    expect(subjectWithoutPupil('Referral: Lea Ash (Leading Futures)', data)).toBe('Referral: a pupil (ref C0FFEE12) (Leading Futures)');
    expect(subjectWithoutPupil('Letter sent to Ash family, Ashford school', data)).toBe('Letter sent to a pupil (ref C0FFEE12) family, Ashford school');
  });
});
