import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.ts';
import { composePolicy, ntiRangeFor, parseDocument } from '../../../src/policies/school-policy.ts';
import { readPolicyFile, writePolicyFile } from '../../../src/policies/policy-files.ts';
import { WORKFLOWS } from '../../../workflows/index.ts';
import { overridesFrom, policyForm, policyFromForm } from '../../../src/http/ui/policy/policy-form.ts';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return ((error.details as { problems: { field: string; message: string }[] }).problems).map((p) => `${p.field}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('a school’s policy document', () => {
  it('when a copy of West Coventry changes the target and the NTI period in an LA on the national range, then the policy has both', () => {
    const document = parseDocument({ base: 'west-coventry', overrides: { targetPct: 96, opening: { when: { pctBelow: 96 } }, noticeToImprove: { improvementPeriod: { amount: 15, unit: 'schoolDays' } } } });
    const policy = composePolicy(document, 'Sandwell');
    expect(policy.targetPct).toBe(96);
    expect(policy.noticeToImprove.improvementPeriod).toEqual({ amount: 15, unit: 'schoolDays' });
    expect(policy.noticeToImprove.improvementPeriodRange).toEqual({ min: 15, max: 30 });
    expect(policy.stages.map((s) => s.letter)).toEqual(WORKFLOWS['west-coventry']!.policy.stages.map((s) => s.letter));
  });

  it('when the NTI period is outside the LA’s code, then it is refused naming the range', () => {
    const document = parseDocument({ base: 'west-coventry', overrides: { noticeToImprove: { improvementPeriod: { amount: 15, unit: 'schoolDays' } } } });
    expect(ntiRangeFor('Coventry City Council')).toMatchObject({ min: 20, max: 20, unit: 'schoolDays' });
    expect(problemsOf(() => composePolicy(document, 'Coventry City Council')).join()).toMatch(/15 school days is outside Coventry’s code of conduct’s range .*\(20 school days\)/);
    const long = parseDocument({ base: 'national', overrides: { noticeToImprove: { improvementPeriod: { amount: 7, unit: 'schoolWeeks' } } } });
    expect(problemsOf(() => composePolicy(long, 'Warwickshire')).join()).toMatch(/outside the national guidance’s range .*\(3 to 6 school weeks\)/);
  });

  it.each([
    [{ considerations: { dueIn: { amount: 1, unit: 'years' } } }, /five considerations/],
    [{ stages: [{ skipConsiderations: true }] }, /five considerations/],
    [{ penaltyNotice: { maxNotices: 3 } }, /two penalty notices/],
    [{ penaltyNotice: { reducedRateDays: 30 } }, /21 days .* 28 days/],
    [{ fullRateWindow: 40 }, /21 days .* 28 days/],
    [{ prosecution: { timeLimitMonths: 12 } }, /six months/],
  ])('when an override reaches for a statutory rule (%j), then the schema refuses it naming the rule', (overrides, rule) => {
    expect(problemsOf(() => parseDocument({ base: 'national', overrides })).join()).toMatch(rule);
  });

  it('when an override names a field no policy has, or a letter the service does not hold, then it is refused saying which', () => {
    expect(problemsOf(() => parseDocument({ base: 'national', overrides: { targetPercent: 96 } })).join()).toMatch(/targetPercent/);
    const stages = WORKFLOWS.national!.policy.stages.map((s, i) => (i === 1 ? { ...s, letter: 'national/no-such-letter' } : s));
    expect(problemsOf(() => composePolicy(parseDocument({ base: 'national', overrides: { stages } }), 'Sandwell')).join()).toMatch(/stages\.1\.letter: national\/no-such-letter/);
    expect(problemsOf(() => composePolicy(parseDocument({ base: 'nowhere', overrides: {} }), 'Sandwell')).join()).toMatch(/base: no built-in policy 'nowhere'/);
  });

  it('when a document is written as YAML or JSON and read back, then it is the same; a YAML alias bomb is refused', () => {
    const document = { base: 'west-coventry', overrides: { targetPct: 96, autoSend: ['west-coventry/letter-a'] } };
    for (const format of ['json', 'yaml'] as const) expect(readPolicyFile(writePolicyFile(document, format), format)).toEqual(document);
    expect(() => readPolicyFile('a: &a [1,2]\nb: [*a, *a]\n', 'yaml')).toThrow(/cannot be read/);
  });

  it('when the policy form is sent back as shown, then the draft changes nothing; a changed field (and an unticked box) is all it adds to what the draft already said', () => {
    const base = WORKFLOWS['west-coventry']!.policy;
    const form = policyForm(base);
    const posted: Record<string, unknown> = {};
    for (const field of [...form.fields, ...form.bands.flat(), ...form.stages.flatMap((s) => s.fields)] as Record<string, unknown>[]) {
      const name = String(field.name);
      if (field.kind === 'duration') Object.assign(posted, { [`${name}.amount`]: String(field.amount), [`${name}.unit`]: field.unit });
      else if (field.kind === 'pct') Object.assign(posted, { [`${name}.comparison`]: field.comparison, [`${name}.pct`]: String(field.pct) });
      else if (field.kind === 'boolean') posted[name] = field.value ? ['no', 'yes'] : 'no';
      else posted[name] = String(field.value);
    }
    expect(overridesFrom(base, policyFromForm(base, posted), {})).toEqual({});
    const changed = { ...posted, targetPct: '96', 'stages.0.review.amount': '2', 'opening.onUnauthorisedAbsence': 'no' };
    const overrides = overridesFrom(base, policyFromForm(base, changed), { evaluation: { period: { amount: 6, unit: 'schoolWeeks' } } });
    expect(overrides).toMatchObject({ targetPct: 96, opening: { onUnauthorisedAbsence: false }, evaluation: { period: { amount: 6, unit: 'schoolWeeks' } } });
    expect((overrides.stages as { review: unknown }[])[0]!.review).toEqual({ amount: 2, unit: 'schoolWeeks' });
  });
});
