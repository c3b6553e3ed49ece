import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 20 ms here, slow enough for a leaked table.
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A password as argon2id, salted, in PHC string form. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

// Checked when the account does not exist, so a wrong email takes as long as a wrong password.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$FtQVlIopsF9in9g5FZSkxA$z4ehLy2IduO4kQfTO9kNKeYWckn7d5x/r7+DMlq9Ybs';

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    const ok = await verify(passwordHash ?? DUMMY_HASH, password);
    return ok && passwordHash !== null;
  } catch {
    return false;
  }
}
