import { z } from 'zod';
import { notFound } from '../../../access/scope.ts';
import { WORKFLOWS } from '../../../../workflows/index.ts';
import { route, type AnyRoute } from '../route.ts';

export function workflowRoutes(): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/workflows',
      tag: 'workflows',
      summary: 'The workflows (one per school policy)',
      responses: { 200: 'the workflows' },
      handle: () => ({ workflows: Object.values(WORKFLOWS).map((w) => ({ id: w.id, name: w.policy.name, version: w.version })) }),
    }),
    route({
      method: 'get',
      path: '/api/workflows/:id',
      tag: 'workflows',
      summary: 'A workflow: its policy, its statechart as a Mermaid diagram, and an overview of its stages and legal routes (Mermaid)',
      params: z.object({ id: z.string().min(1).max(100) }),
      responses: { 200: 'the workflow', 404: 'no such workflow' },
      handle({ params }) {
        const workflow = Object.hasOwn(WORKFLOWS, params.id) ? WORKFLOWS[params.id] : undefined;
        if (!workflow) throw notFound(`workflow '${params.id}'`);
        return { id: workflow.id, version: workflow.version, policy: workflow.policy, diagram: workflow.diagram, overview: workflow.overview };
      },
    }),
  ];
}
