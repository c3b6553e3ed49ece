// Header presets: what the exports schools actually produce call our columns, as data. Each
// preset says where its names come from; a name we could not confirm is marked `unconfirmed` and
// the README says so too. A preset only renames columns: values must still be what the register
// files take (a UPN, a date as YYYY-MM-DD, AM or PM, a national attendance code, yes or no). A
// file whose names match no preset gets the mapping step on the upload page, saved per school.
import type { RegisterKind } from '../store/types.ts';

/** Our column ← the names (trimmed, any case) an export may give it; the first that a file has is used. */
export type PresetColumns = Partial<Record<string, readonly string[]>>;

export interface HeaderPreset {
  id: string;
  name: string;
  /** Where the names come from, and how sure we are: shown on the mapping page. */
  note: string;
  kinds: Partial<Record<RegisterKind, PresetColumns>>;
}

export const HEADER_PRESETS: readonly HeaderPreset[] = [
  {
    id: 'sims',
    name: 'SIMS',
    note:
      'Session marks: Date, Session Name and Mark as a SIMS integration lists the session-attendance fields it reads ' +
      '(docs.aim.phinite.com, "SIMS integration: session attendance"); SIMS identifies the pupil there by its own ID, so add the UPN column to the report. ' +
      'Pupils and contacts: unconfirmed, the usual SIMS report-designer field names (Legal Forename, Legal Surname, DOB, Year); check them against your report.',
    kinds: {
      marks: { upn: ['upn'], date: ['date'], session: ['session name', 'session'], code: ['mark'] },
      // unconfirmed: SIMS report-designer names, not checked against a published export.
      pupils: { upn: ['upn'], forename: ['legal forename', 'forename'], surname: ['legal surname', 'surname'], date_of_birth: ['dob', 'date of birth'], year_group: ['year', 'year group', 'ncyear actual'] },
      // unconfirmed, as above; the contact's name must be one column (for example a report field "Contact Name").
      contacts: {
        upn: ['upn', 'pupil upn'],
        name: ['contact name', 'name'],
        relationship: ['relationship', 'relation'],
        email: ['email', 'contact email', 'email address'],
        phone: ['telephone', 'mobile', 'phone'],
        parental_responsibility: ['parental responsibility'],
        lives_with: ['lives with pupil', 'lives with'],
        // unconfirmed: the postal address as such reports usually name its parts.
        address_line_1: ['address line 1', 'address 1', 'address_line_1'],
        address_line_2: ['address line 2', 'address 2', 'address_line_2'],
        town: ['town', 'town/city', 'city'],
        postcode: ['postcode', 'post code', 'postal code'],
      },
    },
  },
  {
    id: 'arbor',
    name: 'Arbor',
    note:
      'Marks: DATE, PERIOD (MORNING or AFTERNOON) and RAW_MARK (the DfE attendance code) as Arbor\'s Power BI connector names its attendance dataset ' +
      '(support.arbor-education.com, "Microsoft Power BI Connector: Datasets"). Its STUDENT_ID is Arbor\'s own ID, not the UPN: add a UPN column to the report. ' +
      'Pupils and contacts: unconfirmed, the names of Arbor\'s custom report writer columns; check them against your report.',
    kinds: {
      marks: { upn: ['upn'], date: ['date'], session: ['period'], code: ['raw_mark'] },
      // unconfirmed: custom report writer column names.
      pupils: { upn: ['upn'], forename: ['legal first name', 'first name'], surname: ['legal last name', 'last name'], date_of_birth: ['date of birth'], year_group: ['year', 'year group'] },
      // unconfirmed, as above.
      contacts: {
        upn: ['student upn', 'upn'],
        name: ['guardian name', 'name'],
        relationship: ['relationship'],
        email: ['email address', 'email'],
        phone: ['mobile phone', 'phone number', 'phone'],
        parental_responsibility: ['parental responsibility', 'has parental responsibility'],
        lives_with: ['lives with student', 'lives with'],
        // unconfirmed: the postal address as such reports usually name its parts.
        address_line_1: ['address line 1', 'address 1', 'address_line_1'],
        address_line_2: ['address line 2', 'address 2', 'address_line_2'],
        town: ['town', 'town/city', 'city'],
        postcode: ['postcode', 'post code', 'postal code'],
      },
    },
  },
  {
    id: 'bromcom',
    name: 'Bromcom',
    note:
      'Unconfirmed throughout: Bromcom\'s report exports are designed by the school. The names follow the student and contact fields a Bromcom integration lists ' +
      '(support.parentseveningsystem.co.uk, "Bromcom: what data is pulled through": Date of Birth, Year Group, Relationship, parental responsibility); check them against your report.',
    kinds: {
      marks: { upn: ['upn'], date: ['date', 'attendance date'], session: ['session', 'am/pm'], code: ['mark', 'attendance mark', 'code'] },
      pupils: { upn: ['upn'], forename: ['legal forename', 'firstname', 'forename'], surname: ['legal surname', 'lastname', 'surname'], date_of_birth: ['date of birth', 'dob'], year_group: ['year group', 'year'] },
      contacts: {
        upn: ['student upn', 'upn'],
        name: ['contact name', 'name'],
        relationship: ['relationship'],
        email: ['email', 'email address'],
        phone: ['telephone', 'phone', 'mobile'],
        parental_responsibility: ['parental responsibility'],
        lives_with: ['lives with student', 'lives with'],
        // unconfirmed: the postal address as such reports usually name its parts.
        address_line_1: ['address line 1', 'address 1', 'address_line_1'],
        address_line_2: ['address line 2', 'address 2', 'address_line_2'],
        town: ['town', 'town/city', 'city'],
        postcode: ['postcode', 'post code', 'postal code'],
      },
    },
  },
  {
    id: 'wonde',
    name: 'Wonde-style export',
    note:
      'Marks: date and session (AM or PM) as Wonde\'s session attendance record names them (wondeltd/php-client README, "POST Attendance"; rubydoc wondeclient ' +
      'SessionAttendanceRecord). Wonde identifies the pupil by student_id and the mark by attendance_code_id, its own ids: a file flattened from its API needs upn ' +
      'and code columns. Pupils (upn, forename, surname, date_of_birth) and contacts: unconfirmed, the field names of Wonde\'s students and contacts objects as we understand them.',
    kinds: {
      marks: { upn: ['upn'], date: ['date'], session: ['session'], code: ['code', 'attendance_code'] },
      pupils: { upn: ['upn'], forename: ['forename', 'legal_forename'], surname: ['surname', 'legal_surname'], date_of_birth: ['date_of_birth'], year_group: ['year_group', 'year'] },
      contacts: {
        upn: ['upn', 'student_upn'],
        name: ['name', 'contact_name'],
        relationship: ['relationship'],
        email: ['email'],
        phone: ['phone', 'mobile'],
        parental_responsibility: ['parental_responsibility'],
        lives_with: ['lives_with_pupil', 'lives_with'],
        // unconfirmed: the postal address as such reports usually name its parts.
        address_line_1: ['address line 1', 'address 1', 'address_line_1'],
        address_line_2: ['address line 2', 'address 2', 'address_line_2'],
        town: ['town', 'town/city', 'city'],
        postcode: ['postcode', 'post code', 'postal code'],
      },
    },
  },
];

export function presetById(id: string): HeaderPreset | undefined {
  return HEADER_PRESETS.find((preset) => preset.id === id);
}
