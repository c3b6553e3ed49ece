import { auditRecorder } from '../access/audit.ts';
import type { OrganisationDeps, SetupActor } from '../organisation/organisation-service.ts';
import type { Store } from '../store/types.ts';

/** The operator at the command line sets up as an administrator of the service would. */
export const OPERATOR: SetupActor = { role: 'admin', trustId: null };

/** Setting up from the command line: each change audited under the operator's name. */
export const operatorDeps = (store: Store, actor: string): OrganisationDeps => ({
  store,
  audit: (action, target, detail) => auditRecorder(store, () => new Date())(actor, action, target, detail),
  now: () => new Date(),
});
