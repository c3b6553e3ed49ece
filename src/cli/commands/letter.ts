import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withStore } from '../open.ts';
import { SharedClock } from '../../cases/demo-clock.ts';
import { londonDate } from '../../domain/london-time.ts';
import { allTemplates, recipientOf, templateKind } from '../../letters/catalogue.ts';
import { addressTo, assembleLetterData, loadLetterSource, wordingFor, type LetterSource } from '../../letters/letter-data.ts';
import { letterPdf } from '../../letters/pdf-pool.ts';
import { envelopeLines, notificationAddressees, parentAddressees } from '../../letters/recipients.ts';
import { renderMessage, templateExists } from '../../letters/render.ts';
import { sampleLetterSource } from '../../demo/letter-sample.ts';

const usage = `usage: attendance letter preview <template> (--case <id> | --sample) [--out <dir>]
       attendance letter list

Renders a letter or email as it would be sent, writing one PDF and one HTML file per recipient
(every parent with parental responsibility gets their own letter) into --out (default ./data/preview).
--sample uses a made-up pupil of the template's school; --case reads the case from the database.`;

async function preview(template: string, source: LetterSource, out: string): Promise<number> {
  const data = assembleLetterData(source);
  const to =
    templateKind(template) === 'letter' ? parentAddressees(source.contacts) : notificationAddressees(recipientOf(template), source.school, source.contacts);
  if (to.length === 0) {
    console.error(`nobody to address ${template} to: the pupil has no ${templateKind(template) === 'letter' ? 'parent with parental responsibility' : recipientOf(template)} on record`);
    return 1;
  }
  await mkdir(out, { recursive: true });
  for (const addressee of to) {
    const rendered = renderMessage(template, addressTo(data, addressee), wordingFor(source, template));
    const base = join(out, `${template.replace('/', '_')}-${addressee.key}`);
    await writeFile(`${base}.html`, rendered.html);
    const envelope = templateKind(template) === 'letter' ? envelopeLines(addressee) : null;
    await writeFile(`${base}.pdf`, await letterPdf(rendered.html, { title: rendered.subject, author: source.school.name }, { envelope }));
    const how = addressee.email ? ` <${addressee.email}>` : envelope ? ' (post)' : ' (no email or postal address: it would not be sent)';
    console.log(`${rendered.subject} → ${addressee.name}${how}\n  ${base}.pdf\n  ${base}.html`);
  }
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, case: { type: 'string' }, sample: { type: 'boolean' }, out: { type: 'string' } },
  });
  const [action, template] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (action === 'list') {
    for (const id of allTemplates()) console.log(`${id}  (${templateKind(id)})`);
    return 0;
  }
  if (action !== 'preview' || !template || Boolean(values.case) === Boolean(values.sample)) {
    console.error(usage);
    return 2;
  }
  if (!templateExists(template)) {
    console.error(`no template '${template}': see 'attendance letter list'`);
    return 2;
  }
  const out = resolve(values.out ?? join('data', 'preview'));
  const caseId = values.case;
  if (!caseId) return preview(template, sampleLetterSource(template.startsWith('national/') ? 'national' : template.split('/')[0] ?? 'national'), out);
  return withStore(async (store) => {
    const clock = new SharedClock(store);
    await clock.refresh();
    return preview(template, await loadLetterSource(store, caseId, londonDate(clock.now())), out);
  });
}
