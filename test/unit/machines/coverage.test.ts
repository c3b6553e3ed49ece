import { describe, expect, it } from 'vitest';
import { getMicrosteps } from 'xstate';
import type { AnyStateNode, TransitionDefinition } from 'xstate';
import { getAdjacencyMap, getStateNodes } from 'xstate/graph';
import type { CaseContext, CaseEvent, CaseInput } from '../../../src/domain/case-types.ts';
import { stateName } from '../../../machines/workflow.ts';
import { calendarFor, WORKFLOWS } from '../../../workflows/index.ts';
import type { Workflow } from '../../../machines/workflow.ts';
import { candidateEvents, serialise } from './explore.ts';

// Model-based coverage: explore every workflow's statechart with every event a case can receive
// and prove that each state is reachable and each transition is taken at least once.

function explore(workflow: Workflow, input: CaseInput) {
  const machine = workflow.createMachine(calendarFor(workflow, workflow.policy.calendarId ?? 'coventry'));
  const adjacency = getAdjacencyMap(machine, {
    input,
    events: (snapshot) => candidateEvents(workflow, snapshot.context),
    serializeState: (snapshot) => serialise(snapshot),
    limit: 200_000,
  });
  const taken = new Set<TransitionDefinition<CaseContext, CaseEvent>>();
  const reached = new Set<string>();
  for (const { state, transitions } of Object.values(adjacency)) {
    for (const { event } of Object.values(transitions) as { event: CaseEvent }[]) {
      for (const transition of machine.getTransitionData(state, event)) taken.add(transition);
      let previous = state;
      for (const [micro] of getMicrosteps(machine, state, event)) {
        const name = stateName(micro.value);
        reached.add(name);
        for (const node of previous._nodes) {
          for (const always of node.always ?? []) {
            if (always.target?.every((target: AnyStateNode) => micro._nodes.includes(target))) taken.add(always);
          }
        }
        previous = micro;
      }
    }
  }
  return { machine, taken, reached };
}

describe.each(Object.values(WORKFLOWS))('$id statechart', (workflow) => {
  // Mum was given a notice last year, so her second is her last and refusals become reachable.
  const { machine, taken, reached } = explore(workflow, {
    caseId: 'm',
    upn: 'M',
    parents: [{ id: 'mum' }, { id: 'dad' }],
    penaltyNoticeHistory: ['2024-03-04'].map((issuedOn, i) => ({
      id: `n${i}`, parentId: 'mum', issuedOn, sequence: 1, amountDue: 80, status: 'paid', settledOn: issuedOn,
    })),
  });
  const nodes = getStateNodes(machine.root) as AnyStateNode[];

  it('when every event is tried in every state, then every state is reached', () => {
    const names = nodes.map((node) => node.path.join('.'));
    const unreached = names.filter((name) => ![...reached].some((state) => state === name || state.startsWith(`${name}.`)));
    expect(unreached).toEqual([]);
  });

  it('when every event is tried in every state, then every transition is taken', () => {
    const transitions = nodes.flatMap((node) => [...[...node.transitions.values()].flat(), ...(node.always ?? [])]);
    const describe = (t: TransitionDefinition<CaseContext, CaseEvent>) =>
      `${t.source.path.join('.')} ${t.eventType} -> ${(t.target ?? []).map((n) => n.path.join('.')).join(',')} [${JSON.stringify(t.toJSON().guard ?? null)}] ${JSON.stringify(t.toJSON().actions)}`;
    const takenDescriptions = new Set([...taken].map(describe));
    const untaken = transitions.map(describe).filter((d) => !takenDescriptions.has(d));
    expect(untaken).toEqual([]);
  });
});
