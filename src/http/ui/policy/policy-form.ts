// The policy page's form: each field's place in the policy, its label, and how it is typed; what
// it means comes from the field's own declaration (fieldHelp), so the form and the API say it once.
import { isDeepStrictEqual } from 'node:util';
import { fieldHelp } from '../../../domain/policy-document.ts';
import type { Policy } from '../../../domain/policy.ts';
import { allTemplates, templateKind } from '../../../letters/catalogue.ts';
import { templateName } from '../../../domain/words.ts';

type Kind = 'text' | 'number' | 'boolean' | 'cadence' | 'duration' | 'pct' | 'letter' | 'templates' | 'notify';

interface FieldSpec {
  path: string;
  label: string;
  kind: Kind;
}

/** The fields of the whole policy, then of each band and stage (`#` is the band's or stage's place). */
const POLICY_FIELDS: FieldSpec[] = [
  { path: 'name', label: 'Name of the policy', kind: 'text' },
  { path: 'targetPct', label: 'Target attendance (%)', kind: 'number' },
  { path: 'opening.when', label: 'A case opens when attendance is', kind: 'pct' },
  { path: 'opening.onUnauthorisedAbsence', label: 'Any unauthorised absence opens a case', kind: 'boolean' },
  { path: 'evaluation.cadence', label: 'Attendance is reviewed', kind: 'cadence' },
  { path: 'evaluation.weekday', label: 'Day of the week of the review (1 Monday – 5 Friday)', kind: 'number' },
  { path: 'noticeToImprove.improvementPeriod', label: 'Notice to Improve: improvement period', kind: 'duration' },
  { path: 'attendanceContract.review', label: 'Attendance contract reviewed every', kind: 'duration' },
  { path: 'sicknessReturn.schoolDays', label: 'The LA is told of illness after (school days)', kind: 'number' },
  { path: 'tasksDueIn', label: 'Staff tasks fall due within', kind: 'duration' },
  { path: 'autoSend', label: 'Letters sent without waiting for approval', kind: 'templates' },
];
const BAND_FIELDS: FieldSpec[] = [
  { path: 'bands.#.name', label: 'Band', kind: 'text' },
  { path: 'bands.#.minPct', label: 'From (%)', kind: 'number' },
];
const STAGE_FIELDS: FieldSpec[] = [
  { path: 'stages.#.name', label: 'Name', kind: 'text' },
  { path: 'stages.#.letter', label: 'Letter to parents', kind: 'letter' },
  { path: 'stages.#.review', label: 'Reviewed again after', kind: 'duration' },
  { path: 'stages.#.meeting.name', label: 'Meeting (leave empty for none)', kind: 'text' },
  { path: 'stages.#.meeting.dueIn', label: 'Meeting held within', kind: 'duration' },
  { path: 'stages.#.meeting.escalateIfNotAttended', label: 'A parent who misses the meeting moves the case on', kind: 'boolean' },
  { path: 'stages.#.meeting.agreesContract', label: 'The meeting agrees an attendance contract with the parents', kind: 'boolean' },
  { path: 'stages.#.notify', label: 'Who is told (one a line: who, then the template)', kind: 'notify' },
];

/** The top-level parts of a policy the form edits: the rest of the draft's overrides are kept as they are. */
export const FORM_PATHS = ['name', 'targetPct', 'opening.when', 'opening.onUnauthorisedAbsence', 'evaluation.cadence', 'evaluation.weekday', 'noticeToImprove.improvementPeriod', 'attendanceContract.review', 'sicknessReturn.schoolDays', 'tasksDueIn', 'autoSend', 'bands', 'stages'];

const UNITS = [
  ['schoolDays', 'school days'],
  ['schoolWeeks', 'school weeks'],
  ['days', 'days'],
  ['weeks', 'weeks'],
  ['months', 'months'],
  ['years', 'years'],
] as const;
const CADENCES = ['daily', 'weekly', 'fortnightly', 'monthly'];
const RECIPIENTS = ['ewo', 'la', 'socialWorker', 'homeSchool'];

export function getPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), value);
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = /^\d+$/.test(key) ? [] : {};
    at = at[key] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
}

const fieldId = (path: string) => `policy-${path.replace(/\./g, '-')}`;

/** One field as the template draws it: its name, label, what it means, its value and choices. */
function fieldOf(spec: FieldSpec, path: string, policy: Policy) {
  const value = getPath(policy, path);
  const letters = allTemplates().filter((t) => templateKind(t) === 'letter').map((t) => ({ value: t, label: templateName(t) }));
  const base = { name: path, id: fieldId(path), label: spec.label, kind: spec.kind, help: fieldHelp(path.replace(/\.\d+\./, '.0.')) ?? fieldHelp(path.split('.').slice(0, -1).join('.').replace(/\.\d+/, '.0')) };
  switch (spec.kind) {
    case 'duration': {
      const d = (value ?? { amount: '', unit: 'schoolDays' }) as { amount: number | string; unit: string };
      return { ...base, amount: d.amount, unit: d.unit, units: UNITS.map(([v, l]) => ({ value: v, label: l })) };
    }
    case 'pct': {
      const c = (value ?? {}) as { pctBelow?: number; pctAtOrBelow?: number };
      return { ...base, comparison: 'pctAtOrBelow' in c ? 'pctAtOrBelow' : 'pctBelow', pct: c.pctBelow ?? c.pctAtOrBelow ?? '' };
    }
    case 'cadence':
      return { ...base, value, options: CADENCES.map((c) => ({ value: c, label: c })) };
    case 'letter':
      return { ...base, value: value ?? '', options: [{ value: '', label: 'No letter' }, ...letters] };
    case 'templates':
      return { ...base, value: ((value as string[] | undefined) ?? []).join(', ') };
    case 'notify':
      return { ...base, value: ((value as { to: string; template: string }[] | undefined) ?? []).map((n) => `${n.to} ${n.template}`).join('\n') };
    default:
      return { ...base, value: value ?? '' };
  }
}

/** The form of a policy: its own fields, then each band, then each stage in order. */
export function policyForm(policy: Policy) {
  const fill = (specs: FieldSpec[], i: number) => specs.map((spec) => fieldOf(spec, spec.path.replace('#', String(i)), policy));
  return {
    fields: POLICY_FIELDS.map((spec) => fieldOf(spec, spec.path, policy)),
    bands: policy.bands.map((_, i) => fill(BAND_FIELDS, i)),
    stages: policy.stages.map((stage, i) => ({ id: stage.id, fields: fill(STAGE_FIELDS, i) })),
  };
}

const num = (text: string | undefined) => (text === undefined || text.trim() === '' ? Number.NaN : Number(text.trim()));

/** The policy as the form sent it: the draft's policy with every field the form carries set from it. */
export function policyFromForm(policy: Policy, posted: Record<string, unknown>): Record<string, unknown> {
  // A ticked box is sent after its hidden "no": the last value a name has is the one the form shows.
  const form = new Proxy({} as Record<string, string | undefined>, {
    get: (_, key: string) => {
      const value = ([] as unknown[]).concat(posted[key] ?? []).at(-1);
      return typeof value === 'string' ? value : undefined;
    },
  });
  const edited = structuredClone(policy) as unknown as Record<string, unknown>;
  const specs = [
    ...POLICY_FIELDS.map((spec) => ({ spec, path: spec.path })),
    ...policy.bands.flatMap((_, i) => BAND_FIELDS.map((spec) => ({ spec, path: spec.path.replace('#', String(i)) }))),
    ...policy.stages.flatMap((_, i) => STAGE_FIELDS.map((spec) => ({ spec, path: spec.path.replace('#', String(i)) }))),
  ];
  for (const { spec, path } of specs) {
    const text = form[path];
    switch (spec.kind) {
      case 'number':
        setPath(edited, path, num(text));
        break;
      case 'boolean':
        setPath(edited, path, text === 'yes');
        break;
      case 'duration':
        if (!path.includes('.meeting.')) setPath(edited, path, { amount: num(form[`${path}.amount`]), unit: form[`${path}.unit`] ?? '' });
        break;
      case 'pct':
        setPath(edited, path, { [form[`${path}.comparison`] === 'pctAtOrBelow' ? 'pctAtOrBelow' : 'pctBelow']: num(form[`${path}.pct`]) });
        break;
      case 'letter':
        setPath(edited, path, text ? text : undefined);
        break;
      case 'templates':
        setPath(edited, path, (text ?? '').split(/[\s,]+/).filter(Boolean));
        break;
      case 'notify':
        setPath(edited, path, (text ?? '').split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line) => {
          const [to = '', template = ''] = line.split(/\s+/);
          return { to: RECIPIENTS.find((r) => r.toLowerCase() === to.toLowerCase()) ?? to, template };
        }));
        break;
      default:
        if (!path.includes('.meeting.')) setPath(edited, path, text ?? '');
    }
  }
  // A meeting is there when it has a name; its timing and consequence go with it.
  policy.stages.forEach((_, i) => {
    const name = (form[`stages.${i}.meeting.name`] ?? '').trim();
    setPath(edited, `stages.${i}.meeting`, name
      ? {
          name,
          escalateIfNotAttended: form[`stages.${i}.meeting.escalateIfNotAttended`] === 'yes',
          agreesContract: form[`stages.${i}.meeting.agreesContract`] === 'yes',
          dueIn: { amount: num(form[`stages.${i}.meeting.dueIn.amount`]), unit: form[`stages.${i}.meeting.dueIn.unit`] ?? '' } }
      : undefined);
  });
  return edited;
}

/**
 * The overrides the edited policy makes of its base: the draft's own, with every part the form
 * carries set where it differs from the base and removed where it is the base's again.
 */
export function overridesFrom(base: Policy, edited: Record<string, unknown>, previous: Record<string, unknown>): Record<string, unknown> {
  const overrides = structuredClone(previous);
  for (const path of FORM_PATHS) {
    const value = getPath(edited, path);
    // Equal whatever the order of keys: a part the form rebuilds is the base's again when its values are.
    if (isDeepStrictEqual(value, getPath(base, path))) setPath(overrides, path, undefined);
    else setPath(overrides, path, value);
  }
  for (const key of Object.keys(overrides)) {
    const v = overrides[key];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete overrides[key];
  }
  return overrides;
}
