// The store's types in one import: the records it keeps and the contract, split by what it keeps.
export * from './records.ts';
export * from './records-work.ts';
export * from './records-calendar.ts';
export * from './records-feed.ts';
export * from './records-staff.ts';
export * from './records-policy.ts';
export * from './records-letters.ts';
export type * from './contract.ts';
