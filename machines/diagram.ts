import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { templateName, words } from '../src/domain/words.ts';

/**
 * A workflow's statechart as Mermaid text, drawn from the machine itself so the picture can never
 * disagree with what runs: the full chart (`toMermaid`, every state, event and condition) and a
 * readable overview (`toOverview`, the stages and the legal routes). Both in words: states by
 * the policy's names, events and conditions as phrases, letters by their names.
 */

/** A state's name as the policy says it (a stage's own name), else its key in words. */
export type StateNamer = (key: string) => string;
const byWords: StateNamer = (key) => words(key);

/** `timerIsCurrent` → "timer is current", `decisionIs(penaltyNotice)` → "decision is penalty notice". */
const phrase = (name: string) => words(name).toLowerCase();
/** A template id inside a machine's description (`west-coventry/letter-a`) as the letter's name. */
const withLetterNames = (text: string) => text.replace(/\b[a-z0-9-]+\/[a-z0-9-]+\b/g, (id) => templateName(id));

// Named guards are strings or { type, params }; and()/or()/not() are functions named after
// themselves that carry their operands in `guards`.
type GuardLike = { name?: string; type?: string; params?: Record<string, unknown>; guards?: unknown[] } | string | undefined;

function guardText(guard: unknown): string {
  const g = guard as GuardLike;
  if (g === undefined) return '';
  if (typeof g === 'string') return phrase(g);
  if (g.guards) {
    const parts = g.guards.map(guardText).filter(Boolean);
    return g.name === 'not' ? `not ${parts.join('')}` : parts.join(g.name === 'or' ? ' or ' : ' and ');
  }
  const stage = g.params?.stage ?? g.params?.decision;
  // `wasAtStage(stage1b)`: "was at stage 1b", the stage's word said once.
  return stage ? `${phrase(g.type ?? '')} ${phrase(String(stage))}`.replace(/\b(\w+) \1\b/, '$1') : phrase(g.type ?? '');
}

const nodeId = (node: AnyStateNode) => node.path.join('_');

function label(text: string): string {
  // Mermaid ends a label at a colon or a semicolon.
  return text.replace(/[:;]/g, ',').replace(/"/g, "'");
}

export function toMermaid(machine: AnyStateMachine, name: StateNamer = byWords): string {
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
      lines.push(`${indent}state "${label(name(child.key))}" as ${id}`);
      const composite = Object.keys(child.states).length > 0;
      // Mermaid draws a composite state as a group, and a group takes no description.
      if (child.description && !composite) lines.push(`${indent}${id} : ${label(withLetterNames(child.description))}`);
      if (composite) {
        lines.push(`${indent}state ${id} {`);
        visit(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      for (const [event, transitions] of child.transitions) {
        for (const transition of transitions) {
          for (const target of transition.target ?? []) {
            const guard = guardText(transition.guard);
            edges.push(`${nodeId(child)} --> ${nodeId(target)} : ${label(words(event))}${guard ? ` (if ${label(guard)})` : ''}`);
          }
        }
      }
      for (const transition of child.always ?? []) {
        for (const target of transition.target ?? []) {
          const guard = guardText(transition.guard);
          edges.push(`${nodeId(child)} --> ${nodeId(target)} : ${guard ? `when ${label(guard)}` : 'at once'}`);
        }
      }
    }
  }

  visit(machine.root, '  ');
  return [...lines, ...edges.map((edge) => `  ${edge}`)].join('\n') + '\n';
}

/** The top-level part of the case a state belongs to: `open.penaltyNotice.requested` → `penaltyNotice`. */
function partOf(node: AnyStateNode): string {
  return node.path[0] === 'open' && node.path.length > 1 ? node.path[1]! : node.path[0]!;
}

/** The decision a guard asks for (`decisionIs(penaltyNotice)` inside an `and`), if any. */
function decisionOf(guard: unknown): string | null {
  const g = guard as GuardLike;
  if (g === undefined || typeof g === 'string') return null;
  if (g.guards) return g.guards.map(decisionOf).find((found) => found !== null) ?? null;
  return typeof g.params?.decision === 'string' ? g.params.decision : null;
}

const OVERVIEW_NAMES: Record<string, string> = { new: 'Concern found', considering: 'Considering a legal step (the five considerations)' };

/**
 * The overview: each support stage and each legal route as one box, grouped, with one arrow for
 * each way a case moves on between them, labelled with what moves it. Left to the page's words,
 * because nearly every box does them and arrows for them would hide the path: moving back a stage
 * as attendance improves, closing, and a legal route that does not go ahead returning to the
 * considerations; the national threshold sending any support stage to the considerations is one
 * arrow from the support group.
 */
export function toOverview(machine: AnyStateMachine, supportStages: readonly string[], name: StateNamer = byWords): string {
  const open = machine.root.states.open as AnyStateNode | undefined;
  const parts = open ? Object.keys(open.states).filter((key) => key !== 'resumingSupport') : [];
  const support = parts.filter((key) => supportStages.includes(key));
  const legal = parts.filter((key) => !support.includes(key));
  // Back to support (after a legal route ends) arrives at the support group as a whole.
  const id = (key: string) => (key === 'resumingSupport' ? 'support' : `s_${key}`);
  const box = (key: string) => `${id(key)}["${label(OVERVIEW_NAMES[key] ?? name(key))}"]`;
  const lines = ['flowchart TD', `  ${box('new')}`];
  lines.push('  subgraph support["Support from the school"]', '    direction TB', ...support.map((key) => `    ${box(key)}`), '  end');
  lines.push('  subgraph legal["Legal routes"]', ...legal.map((key) => `    ${box(key)}`), '  end');
  const arrows = new Map<string, Set<string>>();
  const add = (from: string, to: string, said: string) => arrows.set(`${from} ${to}`, (arrows.get(`${from} ${to}`) ?? new Set()).add(said));
  const visit = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
    const moves = [...node.transitions].flatMap(([event, transitions]) => transitions.map((transition) => ({ event, guard: transition.guard as unknown, targets: transition.target ?? [] })));
    for (const { event, guard, targets } of moves) {
      for (const target of targets) {
        const [from, to] = [partOf(node), partOf(target)];
        if (from === to || to === 'closed' || from === 'open' || from === 'closed' || from === 'resumingSupport') continue;
        // A legal route that does not go ahead returns to the considerations: the page says so.
        if (legal.includes(from) && from !== 'considering' && to === 'considering') continue;
        // Backwards within support: attendance improving; the page says so.
        if (support.includes(from) && support.includes(to) && support.indexOf(to) < support.indexOf(from)) continue;
        const decision = decisionOf(guard);
        if (support.includes(from) && to === 'considering') add('support', id(to), words(event));
        else add(id(from), id(to), decision ? `${words(decision)} chosen` : words(event));
      }
    }
  };
  visit(machine.root);
  for (const [key, said] of arrows) {
    const [from, to] = key.split(' ') as [string, string];
    lines.push(`  ${from} -->|${label([...said].join(' or '))}| ${to}`);
  }
  return lines.join('\n') + '\n';
}
