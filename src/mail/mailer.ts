import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** RFC 5322 Message-ID, angle brackets included: the same on every attempt, so a resend is recognisable. */
  messageId: string;
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  readonly transport: 'smtp' | 'embedded';
  /** Who messages come from when the school has no office address of its own. */
  readonly from: string;
  /** Resolves with the message as sent when the mailer keeps a copy (the embedded one). */
  send(mail: OutgoingMail): Promise<{ raw: string | null }>;
  close(): void;
}

export interface MailerConfig {
  SMTP_URL?: string | undefined;
  DATA_DIR: string;
  /** Defaults to the service's own address. */
  MAIL_FROM?: string | undefined;
  /**
   * Whether a plain `smtp://` connection must be upgraded by STARTTLS before anything is sent
   * (on unless set false): letters hold children's details. `smtps://` is TLS from the start.
   */
  SMTP_REQUIRE_TLS?: boolean | undefined;
}

const DEFAULT_FROM = 'Attendance <attendance@localhost>';

/** Safe as a file name, still unique: the Message-ID is derived from a hash. Erasure finds the copy by it. */
export const emlName = (messageId: string) => `${messageId.replace(/[^A-Za-z0-9@._-]/g, '')}.eml`;

/**
 * SMTP when SMTP_URL is set; otherwise the embedded mailer, which sends nothing and keeps every
 * message as an .eml file under DATA_DIR/mail (the handlers keep it in the database too), so a
 * fresh install shows what would have been sent.
 */
export function createMailer(config: MailerConfig): Mailer {
  const from = config.MAIL_FROM ?? DEFAULT_FROM;
  if (config.SMTP_URL) {
    const requireTLS = config.SMTP_REQUIRE_TLS !== false && config.SMTP_URL.startsWith('smtp:');
    // A server that offers no STARTTLS then gets nothing: the send fails (and is retried) rather than going out in clear.
    const url = new URL(config.SMTP_URL);
    if (requireTLS) url.searchParams.set('requireTLS', 'true');
    const transporter = nodemailer.createTransport(url.toString());
    return {
      transport: 'smtp',
      from,
      async send(mail) {
        await transporter.sendMail(mail);
        return { raw: null };
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const dir = join(config.DATA_DIR, 'mail');
  return {
    transport: 'embedded',
    from,
    async send(mail) {
      const info = await transporter.sendMail(mail);
      const raw = (info.message as Buffer).toString('utf8');
      // Letters hold children's and parents' details: readable by the service's own user only.
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(join(dir, emlName(mail.messageId)), raw, { mode: 0o600 });
      return { raw };
    },
    close: () => transporter.close(),
  };
}
