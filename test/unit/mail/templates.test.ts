import { describe, it, expect } from 'vitest';
import { WORKFLOWS } from '../../../workflows/index.ts';
import { allTemplates, templateKind, templatesOf } from '../../../src/letters/catalogue.ts';
import { addressTo, assembleLetterData, type Addressee } from '../../../src/letters/letter-data.ts';
import { htmlToPdf } from '../../../src/letters/pdf.ts';
import { renderMessage, templateExists, TemplateError } from '../../../src/letters/render.ts';
import { sampleLetterSource } from '../../../src/demo/letter-sample.ts';
import { pdfPages, pdfText } from '../../support/pdf.ts';

const parent: Addressee = { role: 'parent', name: "Maria O'Neill", relationship: 'mother', email: 'maria@example.org', address: null, key: 'k1' };
const ewo: Addressee = { role: 'ewo', name: 'Education Welfare Officer', relationship: 'ewo', email: 'ewo@example.org', address: null, key: 'ewo' };

const workflowOf = (template: string) => (template.startsWith('national/') ? 'national' : (template.split('/')[0] ?? 'national'));
const sample = (template: string, to: Addressee = templateKind(template) === 'letter' ? parent : ewo) =>
  addressTo(assembleLetterData(sampleLetterSource(workflowOf(template))), to);


describe('templates', () => {
  it.each(Object.keys(WORKFLOWS))('when the %s workflow names a template, then a file exists for it', (id) => {
    const missing = templatesOf(WORKFLOWS[id]!.policy).filter((template) => !templateExists(template));
    expect(missing).toEqual([]);
  });

  it.each(allTemplates())('when %s is rendered for a sample case, then every field is filled and the subject and PDF are made', async (template) => {
    const data = sample(template);
    const rendered = renderMessage(template, data);
    expect(rendered.subject.length).toBeGreaterThan(5);
    expect(rendered.text).toContain(templateKind(template) === 'letter' ? "Dear Maria O'Neill" : 'To: Education Welfare Officer');
    expect(rendered.html).not.toMatch(/undefined|null|NaN|\{\{|\{%/);
    const pdf = await htmlToPdf(rendered.html, { title: rendered.subject, author: data.school.name });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it("when a letter is rendered, then the pupil's attendance record (sessions, codes and %) is enclosed", () => {
    const { text } = renderMessage('west-coventry/letter-a', sample('west-coventry/letter-a'));
    expect(text).toContain("Attendance record: Jordan O'Neill");
    expect(text).toMatch(/1 Sep 2025 +\/ +\\ +\//);
    expect(text).toMatch(/O +Absent in other or unknown circumstances/);
    expect(text).toMatch(/possible sessions attended, 8\d\.\d%/);
  });

  it('when the data lacks a field a template prints, then rendering fails loudly instead of printing a blank', () => {
    const data = sample('national/second-letter');
    expect(() => renderMessage('national/second-letter', { ...data, pupil: { ...data.pupil, forename: undefined } } as never)).toThrow(TemplateError);
    expect(() => renderMessage('national/no-such-letter', data)).toThrow(/no template/);
  });

  it('when a name holds markup, then the HTML escapes it', () => {
    const data = sample('national/first-letter');
    const { html, text } = renderMessage('national/first-letter', { ...data, pupil: { ...data.pupil, forename: '<script>x</script>' } });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(text).toContain('<script>x</script>');
  });

  it('when the Notice to Improve is rendered, then it holds the record, offences, support, further support, the warning, the period and what counts as improvement', () => {
    const text = renderMessage('national/notice-to-improve', sample('national/notice-to-improve')).text.replace(/\s+/g, ' ');
    for (const part of ['section 7 of the Education Act 1996', 'Unauthorised sessions in the last 10 school weeks', 'Support so far', 'Further support', 'The improvement period', 'Sufficient improvement', 'a penalty notice may be issued to you', 'before the period ends', 'Attendance record:'])
      expect(text).toContain(part);
  });

  it('when a letter PDF is drawn and read back as text and a picture, then it says what the HTML says', async () => {
    const rendered = renderMessage('kennet/letter-2', sample('kennet/letter-2'));
    const pdf = await htmlToPdf(rendered.html, { title: rendered.subject, author: 'Kennet School' });
    const [picture] = await pdfPages(pdf, { dpi: 40, first: 1, last: 1 });
    expect(picture!.length).toBeGreaterThan(5_000);
    const text = await pdfText(pdf);
    expect(text).toContain("Dear Maria O'Neill,");
    expect(text).toContain('Attendance Support Contract');
    expect(text).toMatch(/Attendance record: Jordan O.Neill/);
  });
});
