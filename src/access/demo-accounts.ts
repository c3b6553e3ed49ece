import type { Store, User } from '../store/types.ts';
import { hashPassword } from './passwords.ts';

/** The one password of every demo account (docs/demo-accounts.md). Demo data only. */
export const DEMO_PASSWORD = 'attendance-demo';

type DemoAccount = Pick<User, 'id' | 'email' | 'name' | 'role' | 'schoolId' | 'trustId' | 'localAuthority'>;

/** One account per role on the demo trusts; West Coventry Academy (Three Spires, Coventry LA) is the school they share. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { id: 'demo-pastoral', email: 'pastoral@west-coventry.demo', name: 'Priya Pastoral', role: 'pastoral', schoolId: 'west-coventry', trustId: null, localAuthority: null },
  { id: 'demo-champion', email: 'champion@west-coventry.demo', name: 'Chris Champion', role: 'champion', schoolId: 'west-coventry', trustId: null, localAuthority: null },
  { id: 'demo-ewo', email: 'ewo.coventry@coventry.demo', name: 'Eve Welfare', role: 'ewo', schoolId: null, trustId: null, localAuthority: 'coventry' },
  { id: 'demo-trust-lead', email: 'lead@threespires.demo', name: 'Lee Lead', role: 'trustLead', schoolId: null, trustId: 'three-spires', localAuthority: null },
  { id: 'demo-admin', email: 'admin@attendance.demo', name: 'Ada Admin', role: 'admin', schoolId: null, trustId: null, localAuthority: null },
];

export async function createDemoAccounts(store: Store, at: Date): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const account of DEMO_ACCOUNTS) await store.upsertUser({ ...account, passwordHash, active: true, createdAt: at });
}
