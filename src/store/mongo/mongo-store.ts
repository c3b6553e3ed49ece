import type { Connection } from 'mongoose';
import type { Store } from '../types.ts';
import { MongoRegisterMappings } from './register-mappings.ts';
import { composeParts } from '../compose.ts';
import { MongoPolicies } from './policies.ts';
import { MongoStaff } from './staff.ts';
import { MongoSchoolLetters } from './school-letters.ts';
import { MongoRegisterWeeks } from './register-weeks.ts';
import { MongoBase } from './base.ts';
import { guardFailover } from './failover.ts';
import { MongoCalendars } from './calendars.ts';
import { MongoCases } from './cases.ts';
import { MongoMessagesAccounts } from './messages-accounts.ts';
import { MongoOrganisation } from './organisation.ts';
import { MongoOutbox } from './outbox.ts';
import { MongoRegister } from './register.ts';
import { MongoRetention } from './retention-part.ts';

/**
 * The MongoDB store: one class whose methods come from one part per group of the contract
 * (composeParts). The interface tells TypeScript what the parts add; composeParts refuses a
 * method defined twice, and the contract suite calls every one.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface MongoStore extends MongoOrganisation, MongoRegister, MongoCases, MongoOutbox, MongoMessagesAccounts, MongoRetention, MongoCalendars, MongoRegisterMappings, MongoStaff, MongoPolicies, MongoSchoolLetters, MongoRegisterWeeks {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class MongoStore extends MongoBase implements Store {
  readonly kind = 'mongo' as const;

  constructor(connection: Connection) {
    super(connection);
  }
}
composeParts(MongoStore, [MongoOrganisation, MongoRegister, MongoCases, MongoOutbox, MongoMessagesAccounts, MongoRetention, MongoCalendars, MongoRegisterMappings, MongoStaff, MongoPolicies, MongoSchoolLetters, MongoRegisterWeeks]);
// Failovers answer 503 from every store method (see failover.ts).
guardFailover(MongoStore.prototype);
