import type { OutboxEffect } from '../store/types.ts';

// The contract between the outbox dispatcher (jobs/) and what carries effects out (mail/, jobs/):
// it sits below both, beside the case transitions that make the effects.

/** Thrown by a handler when trying again cannot help (bad address, rejected by the server for good). */
export class PermanentEffectError extends Error {
  override name = 'PermanentEffectError';
}

/** A handler may park an effect it cannot run yet, with the reason shown to staff. */
export type EffectOutcome = void | { park: string };

export type EffectHandler = (effect: OutboxEffect) => Promise<EffectOutcome>;
