import { describe, it, expect } from 'vitest';
import { composeParts } from '../../../src/store/compose.ts';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { MongoStore } from '../../../src/store/mongo/mongo-store.ts';

/** Every method name along a class's prototype chain, but the constructor. */
function methodsOf(cls: { prototype: object }): Set<string> {
  const names = new Set<string>();
  for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  return names;
}

describe('an adapter composed of one part per group of the contract', () => {
  it('when both adapters are composed, then they offer the same public methods (MongoDB is proven by the contract suite only where a mongod runs)', () => {
    const internal = new Set(['syncIndexes', 'transaction', 'insertTimeline', 'insertCase', 'insertEffects', 'setTimers', 'insertTask', 'writeCases']);
    const pg = [...methodsOf(PostgresStore)].filter((n) => !internal.has(n)).sort();
    const mongo = [...methodsOf(MongoStore)].filter((n) => !internal.has(n)).sort();
    expect(mongo).toEqual(pg);
    expect(pg).toEqual(expect.arrayContaining(['claimEffects', 'listQueue', 'appendAudit', 'upsertTrust', 'streamSchoolMarks']));
  });

  it('when two parts define the same method, then composing them is refused naming it', () => {
    class Base {}
    class A {
      hello() {
        return 'a';
      }
    }
    class B {
      hello() {
        return 'b';
      }
    }
    expect(() => composeParts(Base, [A, B])).toThrow(/'hello' is defined by more than one part/);
  });
});
