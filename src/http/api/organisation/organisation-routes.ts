import { z } from 'zod';
import { SETUP_ROLES } from '../../../access/roles.ts';
import { requireRole } from '../../../access/scope.ts';
import { mailboxWarnings, schoolInputSchema, trustInputSchema, workflowChoices } from '../../../organisation/organisation-input.ts';
import {
  archiveSchool,
  archiveTrust,
  createSchool,
  createTrust,
  editSchool,
  editTrust,
  schoolFor,
  trustsFor,
  type OrganisationDeps,
} from '../../../organisation/organisation-service.ts';
import type { Caller } from '../route.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';

const id = z.object({ id: z.string().min(1).max(100) });
const archive = z.object({ archived: z.boolean().describe('true archives; false restores') });

/** Trusts and schools as an administrator (or a trust's own administrator) sets them up. */
export function organisationRoutes(deps: ApiDeps & { now: () => Date }): AnyRoute[] {
  /** The caller as a setup actor, once their role allows setting up at all. */
  const setup = async (me: Caller): Promise<{ actor: typeof me.user; ops: OrganisationDeps }> => {
    requireRole(await me.access(), SETUP_ROLES);
    return { actor: me.user, ops: { store: deps.store, audit: me.audit, now: deps.now } };
  };
  return [
    route({
      method: 'get',
      path: '/api/trusts',
      tag: 'organisation',
      summary: 'The trusts you set up, each with its schools (archived ones included, marked)',
      responses: { 200: 'the trusts', 403: 'not an administrator' },
      async handle({ caller }) {
        const { actor } = await setup(caller());
        const schools = await deps.store.listSchools();
        const trusts = await trustsFor(deps.store, actor);
        return {
          trusts: trusts.map((trust) => ({
            ...trust,
            schools: schools.filter((school) => school.trustId === trust.id).map((school) => ({ ...school, warnings: mailboxWarnings(school) })),
          })),
          workflows: workflowChoices(),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/trusts',
      tag: 'organisation',
      summary: 'Add a trust (a standalone school is a trust of one)',
      body: trustInputSchema,
      responses: { 200: 'the trust', 403: 'not an administrator of the service' },
      async handle({ body, caller }) {
        const { actor, ops } = await setup(caller());
        return createTrust(ops, actor, body);
      },
    }),
    route({
      method: 'post',
      path: '/api/trusts/:id',
      tag: 'organisation',
      summary: 'Rename a trust',
      params: id,
      body: trustInputSchema,
      responses: { 200: 'the trust', 404: 'no trust you set up' },
      async handle({ params, body, caller }) {
        const { actor, ops } = await setup(caller());
        return editTrust(ops, actor, params.id, body);
      },
    }),
    route({
      method: 'post',
      path: '/api/trusts/:id/archive',
      tag: 'organisation',
      summary: 'Archive a trust whose schools are all archived, or restore it',
      params: id,
      body: archive,
      responses: { 200: 'the trust', 403: 'not an administrator of the service', 404: 'no such trust', 409: 'it still has schools at work' },
      async handle({ params, body, caller }) {
        const { actor, ops } = await setup(caller());
        return archiveTrust(ops, actor, params.id, body.archived);
      },
    }),
    route({
      method: 'post',
      path: '/api/trusts/:id/schools',
      tag: 'organisation',
      summary: 'Add a school to a trust: its DfE numbers, phase, local authority, policy and mailboxes',
      params: id,
      body: schoolInputSchema,
      responses: { 200: 'the school, and what its mailboxes leave undone', 404: 'no trust you set up', 409: 'the URN is another school’s, or the trust is archived' },
      async handle({ params, body, caller }) {
        const { actor, ops } = await setup(caller());
        return createSchool(ops, actor, params.id, body);
      },
    }),
    route({
      method: 'get',
      path: '/api/schools/:id/setup',
      tag: 'organisation',
      summary: 'A school as it is set up, with what its mailboxes leave undone',
      params: id,
      responses: { 200: 'the school', 404: 'no school you set up' },
      async handle({ params, caller }) {
        const { actor } = await setup(caller());
        const school = await schoolFor(deps.store, actor, params.id);
        return { school, trust: await deps.store.getTrust(school.trustId), warnings: mailboxWarnings(school), workflows: workflowChoices() };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id',
      tag: 'organisation',
      summary: 'Change a school’s details, policy or mailboxes',
      params: id,
      body: schoolInputSchema,
      responses: { 200: 'the school, and what its mailboxes leave undone', 404: 'no school you set up', 409: 'the URN is another school’s' },
      async handle({ params, body, caller }) {
        const { actor, ops } = await setup(caller());
        return editSchool(ops, actor, params.id, body);
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/archive',
      tag: 'organisation',
      summary: 'Archive a school (its cases stay on record; it is no longer evaluated), or restore it',
      params: id,
      body: archive,
      responses: { 200: 'the school', 404: 'no school you set up' },
      async handle({ params, body, caller }) {
        const { actor, ops } = await setup(caller());
        return archiveSchool(ops, actor, params.id, body.archived);
      },
    }),
  ];
}
