import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * A workflow's statechart as Mermaid `stateDiagram-v2` text, drawn from the machine itself so the
 * picture can never disagree with what runs.
 */

// Named guards are strings or { type, params }; and()/or()/not() are functions named after
// themselves that carry their operands in `guards`.
type GuardLike = { name?: string; type?: string; params?: Record<string, unknown>; guards?: unknown[] } | string | undefined;

function guardText(guard: unknown): string {
  const g = guard as GuardLike;
  if (g === undefined) return '';
  if (typeof g === 'string') return g;
  if (g.guards) {
    const parts = g.guards.map(guardText).filter(Boolean);
    return g.name === 'not' ? `not ${parts.join('')}` : parts.join(g.name === 'or' ? ' or ' : ' and ');
  }
  const stage = g.params?.stage ?? g.params?.decision;
  return stage ? `${g.type}(${String(stage)})` : (g.type ?? '');
}

const nodeId = (node: AnyStateNode) => node.path.join('_');

function label(text: string): string {
  // Mermaid ends a label at a colon or a semicolon.
  return text.replace(/[:;]/g, ',').replace(/"/g, "'");
}

export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const edges: string[] = [];

  function visit(node: AnyStateNode, indent: string): void {
    const children = Object.values(node.states) as AnyStateNode[];
    if (node.initial && children.length > 0) {
      const initial = node.states[node.initial.target[0]?.key ?? ''] as AnyStateNode | undefined;
      if (initial) lines.push(`${indent}[*] --> ${nodeId(initial)}`);
    }
    for (const child of children) {
      const id = nodeId(child);
      lines.push(`${indent}state "${label(child.key)}" as ${id}`);
      const composite = Object.keys(child.states).length > 0;
      // Mermaid draws a composite state as a group, and a group takes no description.
      if (child.description && !composite) lines.push(`${indent}${id} : ${label(child.description)}`);
      if (composite) {
        lines.push(`${indent}state ${id} {`);
        visit(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      for (const [event, transitions] of child.transitions) {
        for (const transition of transitions) {
          for (const target of transition.target ?? []) {
            const guard = guardText(transition.guard);
            edges.push(`${nodeId(child)} --> ${nodeId(target)} : ${label(event)}${guard ? ` [${label(guard)}]` : ''}`);
          }
        }
      }
      for (const transition of child.always ?? []) {
        for (const target of transition.target ?? []) {
          const guard = guardText(transition.guard);
          edges.push(`${nodeId(child)} --> ${nodeId(target)} : always${guard ? ` [${label(guard)}]` : ''}`);
        }
      }
    }
  }

  visit(machine.root, '  ');
  return [...lines, ...edges.map((edge) => `  ${edge}`)].join('\n') + '\n';
}
