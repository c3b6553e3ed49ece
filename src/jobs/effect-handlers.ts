import type { Logger } from '../logger.ts';
import type { EffectHandler } from './outbox-dispatcher.ts';

/** The effect kinds this version can execute; anything else is parked with the reason shown. */
export function effectHandlers(deps: { logger: Logger }): Record<string, EffectHandler> {
  return {
    // Proves the outbox loop end to end; also useful to mark a case for operators.
    log: async (effect) => {
      deps.logger.info({ effectId: effect.id, caseId: effect.caseId, payload: effect.payload }, 'log effect');
    },
  };
}
