// Open cases by what their stage means (support, formal support, legal intervention), whatever
// each school's policy calls its stages; within each group, the stages by the policies' names.
import { STAGE_GROUP_IDS, STAGE_GROUPS, groupOf, placeOf, type StageGroup } from '../../../domain/stage-groups.ts';
import type { CaseRecord } from '../../../store/types.ts';
import { WORKFLOWS } from '../../../../workflows/index.ts';
import { stateLabel } from '../labels.ts';

export interface FunnelGroup {
  group: StageGroup;
  label: string;
  count: number;
  stages: { key: string; label: string; count: number }[];
}

export function stageFunnel(cases: Pick<CaseRecord, 'workflowId' | 'state'>[]): FunnelGroup[] {
  const groups = new Map<StageGroup, FunnelGroup>(STAGE_GROUP_IDS.map((group) => [group, { group, label: STAGE_GROUPS[group], count: 0, stages: [] }]));
  for (const record of cases) {
    const policy = WORKFLOWS[record.workflowId]?.policy;
    const group = policy ? groupOf(policy, record.state) : null;
    if (!group) continue;
    const entry = groups.get(group)!;
    entry.count += 1;
    const key = placeOf(record.state);
    const label = stateLabel(record.workflowId, record.state);
    const stage = entry.stages.find((candidate) => candidate.key === key && candidate.label === label);
    if (stage) stage.count += 1;
    else entry.stages.push({ key, label, count: 1 });
  }
  return [...groups.values()];
}

/** Cases by group for one school's line of the comparison table. */
export function casesByGroup(cases: Pick<CaseRecord, 'workflowId' | 'state'>[]): Record<StageGroup, number> {
  return Object.fromEntries(stageFunnel(cases).map((entry) => [entry.group, entry.count])) as Record<StageGroup, number>;
}
