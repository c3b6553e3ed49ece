import type { CreateTaskParams } from '../domain/case-types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import { PermanentEffectError, type EffectHandler } from '../cases/effect-handler.ts';

/** The effect kinds the worker executes itself; letters and notifications come from src/mail. */
export function coreEffectHandlers(deps: { store: Store; clock: Clock; logger: Logger }): Record<string, EffectHandler> {
  return {
    // Proves the outbox loop end to end; also useful to mark a case for operators.
    log: async (effect) => {
      deps.logger.info({ effectId: effect.id, caseId: effect.caseId, payload: effect.payload }, 'log effect');
    },
    // The task takes the effect's id, so a repeat after a crash finds it already made.
    createTask: async (effect) => {
      const params = effect.payload as CreateTaskParams;
      const record = await deps.store.getCase(params.caseId);
      if (!record) throw new PermanentEffectError(`case ${params.caseId} no longer exists`);
      await deps.store.createTask({
        id: effect.id,
        caseId: record.id,
        schoolId: record.schoolId,
        kind: params.kind,
        title: params.title,
        dueDate: params.dueDate,
        createdAt: deps.clock.now(),
      });
    },
  };
}
