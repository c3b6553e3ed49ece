/**
 * Gives `target` the methods of each part (the TypeScript mixin pattern): an adapter is one class
 * whose methods live in one file per group of the contract, and run with the adapter as `this`.
 * Two parts may not define the same method.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function composeParts(target: abstract new (...args: any[]) => unknown, parts: (abstract new (...args: any[]) => unknown)[]): void {
  const seen = new Set(Object.getOwnPropertyNames(target.prototype));
  for (const part of parts) {
    for (const name of Object.getOwnPropertyNames(part.prototype)) {
      if (name === 'constructor') continue;
      if (seen.has(name)) throw new Error(`${target.name}: '${name}' is defined by more than one part`);
      seen.add(name);
      Object.defineProperty(target.prototype, name, Object.getOwnPropertyDescriptor(part.prototype, name)!);
    }
  }
}
