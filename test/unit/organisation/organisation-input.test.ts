import { describe, it, expect } from 'vitest';
import { mailboxesUsedBy, mailboxWarnings, schoolInputSchema, workflowChoices } from '../../../src/organisation/organisation-input.ts';
import { localAuthorityId, localAuthorityName } from '../../../src/domain/local-authority.ts';
import { getWorkflow } from '../../../workflows/index.ts';

const school = { name: ' Riverside Primary ', phase: 'primary', localAuthority: 'Coventry City Council', workflowId: 'west-coventry' };

describe('what a school is made of when it is set up', () => {
  it('when a form gives the DfE number with a slash and the LA as the council calls itself, then they are kept as digits and the LA’s id', () => {
    const parsed = schoolInputSchema.parse({ ...school, urn: '103456', laEstab: '331/4001', mailboxes: { office: ' Office@Riverside.example.org ', ewo: '' } });
    expect(parsed).toMatchObject({ name: 'Riverside Primary', urn: '103456', laEstab: '3314001', localAuthority: 'coventry', mailboxes: { office: 'office@riverside.example.org', ewo: undefined } });
  });

  it('when fields are wrong, then each problem names its field in words', () => {
    const result = schoolInputSchema.safeParse({ name: '', urn: '12345', laEstab: '33-40', phase: 'college', localAuthority: '  ', workflowId: 'nope', mailboxes: { la: 'not-an-address' } });
    expect(result.success).toBe(false);
    const problems = Object.fromEntries(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message]));
    expect(problems).toMatchObject({
      name: 'enter the school’s name',
      urn: 'a URN is 6 digits, as Get Information about Schools shows it',
      laEstab: 'the DfE number is the LA’s 3 digits and the school’s 4, as 331/4001',
      localAuthority: 'enter the local authority',
      workflowId: 'choose the attendance policy the school follows',
      'mailboxes.la': 'the local authority address is not an email address',
    });
    expect(problems.phase).toContain('choose the phase');
  });

  it('when a policy is read for the mailboxes it writes to, then Leading Futures needs the home school and Hall Green the LA', () => {
    expect(mailboxesUsedBy(getWorkflow('leading-futures').policy)).toContain('homeSchool');
    expect(mailboxesUsedBy(getWorkflow('hall-green').policy)).toContain('la');
    expect(mailboxesUsedBy(getWorkflow('kennet').policy)).toEqual(new Set(['ewo', 'la']));
  });

  it('when a school has no mailboxes, then the warnings say what waits; with them, none', () => {
    expect(mailboxWarnings({ workflowId: 'kennet', notifyEmails: {} })).toHaveLength(3);
    expect(mailboxWarnings({ workflowId: 'kennet', notifyEmails: { office: 'o@x.org', la: 'la@x.org' } })).toEqual([]);
  });

  it('when local authorities are written as people write them, then one id each, read back as words', () => {
    expect(localAuthorityId('West Berkshire Council')).toBe('west-berkshire');
    expect(localAuthorityId('Royal Borough of Windsor and Maidenhead')).toBe('royal-windsor-and-maidenhead');
    expect(localAuthorityName('west-berkshire')).toBe('West Berkshire');
    expect(localAuthorityName('stockton-on-tees')).toBe('Stockton on Tees');
  });

  it('when the policies are offered, then each is named for whose policy it is', () => {
    expect(workflowChoices()).toContainEqual({ id: 'kennet', name: 'Kennet School’s policy' });
    expect(workflowChoices()).toContainEqual({ id: 'national', name: 'DfE national defaults' });
  });
});
