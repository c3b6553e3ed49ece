// A school's wording starts from the model letter's own source: every model letter must pass the
// wording check and render exactly as the template file does; what the check refuses, it names.
import { describe, it, expect } from 'vitest';
import { allTemplates, templateKind, recipientOf } from '../../src/letters/catalogue.ts';
import { addressTo, assembleLetterData } from '../../src/letters/letter-data.ts';
import { notificationAddressees, parentAddressees } from '../../src/letters/recipients.ts';
import { renderMessage, templateSource } from '../../src/letters/render.ts';
import { checkWording, shapeOf, TemplateRefusal } from '../../src/letters/template-check.ts';
import { sampleLetterSource } from '../../src/demo/letter-sample.ts';

const workflowOf = (id: string) => id.split('/')[0] ?? 'national';

describe('school wordings of letters', () => {
  it('when each model letter is used as a school’s wording, then it passes the check and renders exactly as the template file', () => {
    for (const id of allTemplates()) {
      const source = sampleLetterSource(workflowOf(id));
      const data = assembleLetterData(source);
      const to = templateKind(id) === 'letter' ? parentAddressees(source.contacts)[0]! : (notificationAddressees(recipientOf(id), source.school, source.contacts)[0] ?? notificationAddressees('la', source.school, source.contacts)[0]!);
      const addressed = addressTo(data, to);
      expect(() => checkWording(templateSource(id), shapeOf(addressed)), id).not.toThrow();
      expect(renderMessage(id, addressed, templateSource(id)), id).toEqual(renderMessage(id, addressed));
    }
  });

  const refusal = (source: string) => {
    const data = assembleLetterData(sampleLetterSource('west-coventry'));
    try {
      checkWording(source, shapeOf(data));
    } catch (error) {
      if (error instanceof TemplateRefusal) return error.message;
      throw error;
    }
    return 'accepted';
  };

  it('when a wording reaches past the merge fields, then the check refuses it and names the line', () => {
    expect(refusal('a\n{{ pupil.constructor }}')).toBe("line 2: 'constructor' is not a merge field");
    expect(refusal('{{ school.__proto__ }}')).toBe("line 1: '__proto__' is not a merge field");
    expect(refusal('\n\n{{ cycler("a") }}')).toBe('line 3: calling a function is not available in a letter: use the merge fields, if and for');
    expect(refusal('{{ range }}')).toBe("line 1: 'range' is not a merge field");
    expect(refusal('{% set x = pupil %}')).toContain('{% set %} is not available');
    expect(refusal('{% macro m() %}x{% endmacro %}')).toContain('{% macro %} is not available');
    expect(refusal('{% import "layouts/letter.njk" as l %}')).toContain('{% import %} is not available');
    expect(refusal('{% include "../../etc/passwd" %}')).toContain('includes only the partials we ship');
    expect(refusal('{% extends "../secrets.njk" %}')).toContain('extends a layout or a model letter');
    expect(refusal('{% for w in record.weeks %}{% include "partials/meeting.njk" %}{% endfor %}')).toBe('line 1: a partial cannot be included inside a loop');
    expect(refusal('{{ pupil.forename | replace(r/a+$/, "b") }}')).toContain('the filter \'replace\' is not available');
    expect(refusal('{{ record.weeks.cells }}')).toContain("'record.weeks.cells' is not a merge field ('record.weeks' is a list");
    expect(refusal('<p>\n<img src="https://tracker.example/x.gif">')).toBe('line 2: a letter cannot hold <img>: use <p> <br> <strong> <em> <b> <i> <u> <ul> <ol> <li> <h1> <h2> <h3> <table> <thead> <tbody> <tr> <th> <td> <section> <span> <div> <small>');
    expect(refusal('<p onclick="x">hi</p>')).toContain('<p onclick="…"> is not available');
    expect(refusal('<style>p { color: red }</style>')).toContain('cannot hold <style>');
    expect(refusal(`{# ${'x'.repeat(20_000)} #}`)).toContain('the most a letter takes is 20000');
    expect(refusal('{% for w in record.weeks %}<p>{{ loop.index }} {{ w.weekOf | shortDate }}{% for c in w.cells %}{{ c }}{% endfor %}</p>{% endfor %}')).toBe('accepted');
  });
});
