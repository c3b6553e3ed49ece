// A deterministic synthetic register: the demo trust and the benchmarks use it. Same seed, same
// pupils, same marks, on any machine.
import type { SchoolCalendar } from '../domain/calendar.ts';
import type { IsoDate } from '../domain/types.ts';

/** mulberry32: small, fast and good enough for synthetic data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORENAMES = [
  'Amira', 'Ben', 'Chloe', 'Daniel', 'Ella', 'Farhan', 'Grace', 'Harry', 'Isla', 'Jacob', 'Kacper', 'Layla', 'Mohammed', 'Niamh',
  'Oliver', 'Priya', 'Reuben', 'Sofia', 'Tyler', 'Uzma', 'Vikram', 'Willow', 'Xavier', 'Yusuf', 'Zara', 'Aisha', 'Callum', 'Demi',
  'Ethan', 'Freya', 'Gabriel', 'Hana', 'Ibrahim', 'Jessica', 'Kai', 'Lily', 'Mason', 'Nadia', 'Oscar', 'Poppy',
];
const SURNAMES = [
  'Ahmed', 'Baker', 'Clarke', 'Davies', 'Evans', 'Fernandes', 'Green', 'Hussain', 'Iqbal', 'Jones', 'Kaur', 'Lewis', 'Murphy',
  'Nowak', 'Okafor', 'Patel', 'Quinn', 'Robinson', 'Singh', 'Taylor', 'Usman', 'Walker', 'Wright', 'Young', 'Zielinski', 'Begum',
  'Campbell', 'Edwards', 'Hughes', 'Kowalski', 'Mensah', 'Rahman', 'Shah', 'Thomas', 'Williams',
];

type Profile = 'good' | 'atRisk' | 'persistent' | 'severe';

export interface SyntheticPupil {
  upn: string;
  forename: string;
  surname: string;
  date_of_birth: IsoDate;
  year_group: string;
  vulnerability: string;
  profile: Profile;
}

export interface SyntheticContact {
  upn: string;
  name: string;
  relationship: string;
  email: string;
  phone: string;
  parental_responsibility: string;
  lives_with: string;
  address_line_1: string;
  address_line_2: string;
  town: string;
  postcode: string;
}

export interface SyntheticSchool {
  /** One capital letter distinguishing the school's UPNs. */
  letter: string;
  /** DfE LA code (3 digits) and establishment number (4 digits): the UPN's middle. */
  laCode: string;
  establishment: string;
  phase: 'primary' | 'secondary' | 'alternative';
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * Made-up streets in the school's real postcode districts: the street names are invented, the
 * postcodes are in the real format (a district of the area, then a digit and two letters), so a
 * demo letter's window address looks like one a school would print.
 */
const STREET_NAMES = ['Larkspur', 'Quillon', 'Brambledown', 'Tanners Mead', 'Osier', 'Kestrelfield', 'Wenlow', 'Harrowgate Fold', 'Pennycress', 'Thistlebrook', 'Mardale', 'Copperbeech', 'Sallow', 'Fennimore', 'Ashcombe Rise', 'Hollinwood'];
const STREET_KINDS = ['Road', 'Close', 'Avenue', 'Way', 'Lane', 'Crescent', 'Grove', 'Drive'];
const LOCALITIES = ['', '', '', 'Upper Marsh', 'Fairholme', 'Linden Park'];
const AREAS: Record<string, { town: string; districts: string[] }> = {
  '331': { town: 'Coventry', districts: ['CV1', 'CV2', 'CV3', 'CV4', 'CV5', 'CV6'] },
  '869': { town: 'Newbury', districts: ['RG14', 'RG18', 'RG19', 'RG20'] },
  '333': { town: 'West Bromwich', districts: ['B70', 'B71', 'B69', 'B66'] },
  '336': { town: 'Wolverhampton', districts: ['WV1', 'WV2', 'WV3', 'WV4', 'WV10', 'WV11'] },
  '865': { town: 'Trowbridge', districts: ['BA14'] },
};
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

type PostalColumns = Pick<SyntheticContact, 'address_line_1' | 'address_line_2' | 'town' | 'postcode'>;
const NO_ADDRESS: PostalColumns = { address_line_1: '', address_line_2: '', town: '', postcode: '' };

function syntheticAddress(random: () => number, laCode: string): PostalColumns {
  const area = AREAS[laCode] ?? { town: 'Coventry', districts: ['CV1'] };
  const house = 1 + Math.floor(random() * 120);
  const flat = random() < 0.15 ? `Flat ${1 + Math.floor(random() * 8)}, ` : '';
  return {
    address_line_1: `${flat}${house} ${pick(random, STREET_NAMES)} ${pick(random, STREET_KINDS)}`,
    address_line_2: pick(random, LOCALITIES),
    town: area.town,
    postcode: `${pick(random, area.districts)} ${1 + Math.floor(random() * 9)}${pick(random, [...INWARD_LETTERS])}${pick(random, [...INWARD_LETTERS])}`,
  };
}

function profileFor(random: () => number): Profile {
  const r = random();
  if (r < 0.7) return 'good';
  if (r < 0.86) return 'atRisk';
  if (r < 0.97) return 'persistent';
  return 'severe';
}

/** Pupils and their parents/carers for one school. */
export function syntheticPupils(school: SyntheticSchool, count: number, seed: number): { pupils: SyntheticPupil[]; contacts: SyntheticContact[] } {
  const random = seededRandom(seed);
  // Addresses draw on a stream of their own, so adding them left every pupil and mark as it was.
  const postal = seededRandom(seed ^ 0x5eed_add5);
  const years = school.phase === 'primary' ? ['R', '1', '2', '3', '4', '5', '6'] : ['7', '8', '9', '10', '11'];
  const pupils: SyntheticPupil[] = [];
  const contacts: SyntheticContact[] = [];
  for (let i = 0; i < count; i++) {
    const year = pick(random, years);
    const age = year === 'R' ? 4 : Number(year) + 4;
    const born = 2025 - age - 1;
    const upn = `${school.letter}${school.laCode}${school.establishment}${String(born % 100).padStart(2, '0')}${String(i).padStart(3, '0').slice(-3)}`;
    const surname = pick(random, SURNAMES);
    const flags = [
      random() < 0.05 || school.phase === 'alternative' ? 'social_worker' : null,
      random() < 0.03 ? 'lac' : null,
      random() < 0.05 ? 'ehcp' : null,
      random() < 0.2 ? 'fsm' : null,
      school.phase === 'alternative' ? pick(random, ['red', 'amber', 'amber', 'green']) : null,
    ].filter(Boolean);
    pupils.push({
      upn,
      forename: pick(random, FORENAMES),
      surname,
      date_of_birth: `${born}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
      year_group: year,
      vulnerability: flags.join(';'),
      profile: school.phase === 'alternative' && random() < 0.4 ? 'persistent' : profileFor(random),
    });
    const first = pick(random, FORENAMES);
    const email = (name: string) => `${name.toLowerCase()}.${surname.toLowerCase()}${i}@example.org`;
    const separated = random() < 0.25;
    // A few families have no address on file: the demo shows the task that asks for one.
    const home = postal() < 0.04 ? NO_ADDRESS : syntheticAddress(postal, school.laCode);
    contacts.push({
      upn,
      name: `${first} ${surname}`,
      relationship: 'mother',
      email: random() < 0.92 ? email(first) : '',
      phone: `07700 9${String(Math.floor(random() * 100000)).padStart(5, '0')}`,
      parental_responsibility: 'yes',
      lives_with: 'yes',
      ...home,
    });
    if (random() < 0.6) {
      const second = pick(random, FORENAMES);
      contacts.push({
        upn,
        name: `${second} ${surname}`,
        relationship: 'father',
        email: random() < 0.8 ? email(second) : '',
        phone: '',
        parental_responsibility: 'yes',
        lives_with: separated ? 'no' : 'yes',
        ...(separated ? syntheticAddress(postal, school.laCode) : home),
      });
    } else if (random() < 0.3) {
      contacts.push({ upn, name: `${pick(random, FORENAMES)} ${pick(random, SURNAMES)}`, relationship: 'grandparent', email: '', phone: '07700 900999', parental_responsibility: 'no', lives_with: 'no', ...NO_ADDRESS });
    }
  }
  return { pupils, contacts };
}

const DAILY_ABSENCE: Record<Profile, number> = { good: 0.02, atRisk: 0.06, persistent: 0.14, severe: 0.55 };

/**
 * Session marks for every pupil over the school days from..to: illness runs, unexplained and
 * unauthorised absence (clustered for the persistent and severe), term-time holidays, lates.
 */
export function* syntheticMarks(pupils: readonly SyntheticPupil[], calendar: SchoolCalendar, from: IsoDate, to: IsoDate, seed: number): Generator<[string, IsoDate, 'AM' | 'PM', string]> {
  const days = calendar.schoolDays(from, to);
  for (const [index, pupil] of pupils.entries()) {
    const random = seededRandom(seed * 7919 + index);
    const holidayStart = random() < 0.06 ? Math.floor(random() * Math.max(1, days.length - 5)) : -1;
    let illnessLeft = 0;
    let truantLeft = 0;
    for (const [d, date] of days.entries()) {
      let am = '/';
      let pm = '\\';
      if (holidayStart >= 0 && d >= holidayStart && d < holidayStart + 5) {
        am = pm = 'G';
      } else if (illnessLeft > 0) {
        illnessLeft -= 1;
        am = pm = 'I';
      } else if (truantLeft > 0) {
        truantLeft -= 1;
        am = pm = 'O';
      } else if (random() < DAILY_ABSENCE[pupil.profile]) {
        const r = random();
        if (r < 0.45) {
          illnessLeft = Math.floor(random() * 3);
          am = pm = 'I';
        } else if (r < 0.75 || pupil.profile === 'good') {
          am = pick(random, ['O', 'M', 'C1', 'N']);
          pm = random() < 0.7 ? am : '\\';
        } else {
          truantLeft = pupil.profile === 'severe' ? Math.floor(random() * 6) : Math.floor(random() * 2);
          am = pm = 'O';
        }
      } else if (random() < (pupil.profile === 'good' ? 0.01 : 0.05)) {
        am = random() < 0.8 ? 'L' : 'U';
      }
      yield [pupil.upn, date, 'AM', am];
      yield [pupil.upn, date, 'PM', pm];
    }
  }
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Rows as CSV text with a header, the way an MIS exports them. */
export function toCsv(header: readonly string[], rows: Iterable<readonly string[]>): string {
  let text = `${header.join(',')}\n`;
  for (const row of rows) text += `${row.map(csvField).join(',')}\n`;
  return text;
}
