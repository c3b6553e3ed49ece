import { describe, it, expect } from 'vitest';
import { caseWideTaskKinds, groupOf, placeName, placeOf } from '../../../src/domain/stage-groups.ts';
import { NATIONAL_ABSENCE, phaseOf } from '../../../src/domain/national-absence.ts';
import { getWorkflow, WORKFLOWS } from '../../../workflows/index.ts';

describe('stage groups', () => {
  it('when a state is placed, then it is its stage or statutory step, or closed', () => {
    expect(placeOf('open.stage1b')).toBe('stage1b');
    expect(placeOf('open.penaltyNotice.paymentWindow')).toBe('penaltyNotice');
    expect(placeOf('closed.improved')).toBe('closed');
    expect(placeOf('new')).toBe('new');
  });

  it("when any policy's stage is grouped, then its own stages are support and the statutory steps formal support or legal", () => {
    for (const { policy } of Object.values(WORKFLOWS)) {
      for (const stage of policy.stages) expect(groupOf(policy, `open.${stage.id}`)).toBe('support');
      expect(groupOf(policy, 'open.attendanceContract.active')).toBe('formalSupport');
      expect(groupOf(policy, 'open.educationSupervisionOrder.inForce')).toBe('formalSupport');
      for (const legal of ['considering', 'noticeToImprove.improvementPeriod', 'penaltyNotice.requested', 'prosecution']) expect(groupOf(policy, `open.${legal}`)).toBe('legal');
      expect(groupOf(policy, 'closed.improved')).toBeNull();
    }
  });

  it('when a move is named, then the policy’s own stage name is used', () => {
    const policy = getWorkflow('west-coventry').policy;
    expect(placeName(policy, 'open.stage2')).toBe('Stage 2');
    expect(placeName(policy, 'open.penaltyNotice.requested')).toBe('a penalty notice');
    expect(caseWideTaskKinds(getWorkflow('kennet').policy)).toEqual(expect.arrayContaining(['childMissingEducation']));
  });
});

describe('national absence figures', () => {
  it('when a school’s year groups are all primary or all secondary, then that is its phase; a mix has none', () => {
    expect(phaseOf(['R', '1', '6'])).toBe('primary');
    expect(phaseOf(['Year 7', '11'])).toBe('secondary');
    expect(phaseOf(['6', '7'])).toBeNull();
    expect(phaseOf([])).toBeNull();
  });

  it('when the figures are read, then each is a share to one decimal place or null (not entered), and the file names its source', () => {
    expect(NATIONAL_ABSENCE.source).toMatch(/^https:\/\/explore-education-statistics\.service\.gov\.uk\//);
    for (const figures of Object.values(NATIONAL_ABSENCE.byPhase)) {
      for (const value of Object.values(figures)) if (value !== null) expect(Math.round(value * 10) / 10).toBe(value);
      expect(figures.authorisedAbsencePct! + figures.unauthorisedAbsencePct!).toBeCloseTo(figures.overallAbsencePct!, 1);
    }
  });
});
