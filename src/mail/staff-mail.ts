// The email that carries a staff member's link to set their password. It is the service writing
// to its own staff, not a letter to a family: sent at once through the mailer, never through a
// case's outbox (there is no case, and a link is only worth sending while it is fresh).
import { randomUUID } from 'node:crypto';
import { ROLE_NAMES } from '../access/roles.ts';
import type { StaffLink } from '../access/staff-accounts.ts';
import type { Mailer } from './mailer.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const londonTime = (at: Date) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(at);

/** Where a link's page is: PUBLIC_URL, then the token (base64url, so safe in a path). */
export const passwordLinkUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/set-password/${token}`;

/** Sends a link's email; fails (and the caller's request with it) when the mail server refuses it. */
export function staffLinkSender(mailer: Mailer, publicUrl: string) {
  return async (link: StaffLink): Promise<void> => {
    const url = passwordLinkUrl(publicUrl, link.token);
    const invite = link.purpose === 'invite';
    const until = londonTime(link.expiresAt);
    const lines = invite
      ? [
          `Dear ${link.user.name},`,
          `${link.sentBy.name} has set up an account for you on the attendance service, as ${ROLE_NAMES[link.user.role].toLowerCase()}.`,
          `To start, choose your password with this link (it works once, until ${until}):`,
        ]
      : [`Dear ${link.user.name},`, `${link.sentBy.name} has sent you a link to choose a new password for the attendance service.`, `It works once, until ${until}:`];
    const after = `Then sign in with your email address (${link.user.email}) and that password. If you did not expect this email, you can ignore it.`;
    await mailer.send({
      messageId: `<${randomUUID()}@attendance-escalation.invalid>`,
      from: mailer.from,
      to: link.user.email,
      subject: invite ? 'Your attendance service account' : 'Choose a new password for the attendance service',
      text: [...lines, url, after].join('\n\n'),
      html: [...lines.map((line) => `<p>${escapeHtml(line)}</p>`), `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`, `<p>${escapeHtml(after)}</p>`].join('\n'),
      attachments: [],
    });
  };
}
