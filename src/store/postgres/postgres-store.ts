import type pg from 'pg';
import type { Store } from '../types.ts';
import { PgBase } from './base.ts';
import { PgCalendars } from './calendars.ts';
import { PgCases } from './cases.ts';
import { PgMessagesAccounts } from './messages-accounts.ts';
import { PgOrganisation } from './organisation.ts';
import { PgOutbox } from './outbox.ts';
import { PgRegister } from './register.ts';
import { PgRetention } from './retention-part.ts';
import { PgRegisterMappings } from './register-mappings.ts';
import { PgRegisterWeeks } from './register-weeks.ts';
import { composeParts } from '../compose.ts';
import { PgPolicies } from './policies.ts';
import { PgStaff } from './staff.ts';
import { PgSchoolLetters } from './school-letters.ts';

export { QUEUE_TOTAL_CACHE_MS } from './case-queries.ts';

/**
 * The PostgreSQL store: one class whose methods come from one part per group of the contract
 * (composeParts). The interface tells TypeScript what the parts add; composeParts refuses a
 * method defined twice, and the contract suite calls every one.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface PostgresStore extends PgOrganisation, PgRegister, PgCases, PgOutbox, PgMessagesAccounts, PgRetention, PgCalendars, PgRegisterMappings, PgStaff, PgPolicies, PgSchoolLetters, PgRegisterWeeks {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PostgresStore extends PgBase implements Store {
  readonly kind = 'postgres' as const;

  constructor(pool: pg.Pool) {
    super(pool);
  }
}
composeParts(PostgresStore, [PgOrganisation, PgRegister, PgCases, PgOutbox, PgMessagesAccounts, PgRetention, PgCalendars, PgRegisterMappings, PgStaff, PgPolicies, PgSchoolLetters, PgRegisterWeeks]);
