import { WORKFLOWS } from '../../../workflows/index.ts';
import { words } from '../../domain/words.ts';

/** The state as the school's policy names it: `open.stage1b` → "Stage 1b – second letter". */
export function stateLabel(workflowId: string, state: string): string {
  const stages = WORKFLOWS[workflowId]?.policy.stages ?? [];
  const parts = state.split('.');
  const stage = stages.find((candidate) => parts.includes(candidate.id));
  return stage ? stage.name : words(state);
}
