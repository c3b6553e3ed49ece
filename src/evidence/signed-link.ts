import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How long a link in a referral email opens the pack. */
export const LINK_LIFETIME_MS = 7 * 24 * 3_600_000;

/**
 * The key links are signed with: EVIDENCE_LINK_SECRET, or one generated on first use and kept in
 * DATA_DIR (never in the repository), so links survive a restart and every process agrees.
 */
export async function linkSecret(env: { EVIDENCE_LINK_SECRET?: string | undefined; DATA_DIR: string }): Promise<Buffer> {
  if (env.EVIDENCE_LINK_SECRET) return Buffer.from(env.EVIDENCE_LINK_SECRET, 'utf8');
  const file = join(env.DATA_DIR, 'evidence-link.secret');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(env.DATA_DIR, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  // 'wx': of two processes starting together, one writes and the other reads what it wrote.
  await writeFile(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
}

/**
 * What a link opens: a case's evidence pack, or one notification to a professional (the email
 * carries the link, not the pupil's details). The purpose is signed too, so neither kind of link
 * can stand for the other.
 */
export type LinkPurpose = 'evidence-pack' | 'message';

const signature = (secret: Buffer, purpose: LinkPurpose, id: string, expires: number) => createHmac('sha256', secret).update(`${purpose}\n${id}\n${expires}`).digest('base64url');

export function signLink(secret: Buffer, id: string, now: Date, purpose: LinkPurpose = 'evidence-pack'): { expires: number; sig: string } {
  const expires = now.getTime() + LINK_LIFETIME_MS;
  return { expires, sig: signature(secret, purpose, id, expires) };
}

export type LinkCheck = 'valid' | 'expired' | 'forged';

export function checkLink(secret: Buffer, id: string, expires: number, sig: string, now: Date, purpose: LinkPurpose = 'evidence-pack'): LinkCheck {
  const expected = Buffer.from(signature(secret, purpose, id, expires));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  return now.getTime() > expires ? 'expired' : 'valid';
}

/** What making a link needs: where users reach the service, and the key (read once, on first use). */
export interface EvidenceLinkSettings {
  publicUrl: string;
  secret: () => Promise<Buffer>;
}

export function evidenceLinkSettings(config: { PUBLIC_URL: string; EVIDENCE_LINK_SECRET?: string | undefined; DATA_DIR: string }): EvidenceLinkSettings {
  let secret: Promise<Buffer> | null = null;
  return { publicUrl: config.PUBLIC_URL, secret: () => (secret ??= linkSecret(config)) };
}

/** A signed link that opens the case's evidence pack without sign-in until it expires. */
export async function evidenceLink(settings: EvidenceLinkSettings, caseId: string, now: Date): Promise<{ url: string; expiresAt: Date }> {
  const { expires, sig } = signLink(await settings.secret(), caseId, now);
  return { url: `${settings.publicUrl}/api/evidence-links/${encodeURIComponent(caseId)}/evidence-pack.pdf?expires=${expires}&sig=${sig}`, expiresAt: new Date(expires) };
}

/** A signed link that opens one notification (its PDF, as the school wrote it) without sign-in until it expires. */
export async function messageLink(settings: EvidenceLinkSettings, messageId: string, now: Date): Promise<{ url: string; expiresAt: Date }> {
  const { expires, sig } = signLink(await settings.secret(), messageId, now, 'message');
  return { url: `${settings.publicUrl}/api/message-links/${encodeURIComponent(messageId)}/notification.pdf?expires=${expires}&sig=${sig}`, expiresAt: new Date(expires) };
}
