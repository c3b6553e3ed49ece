import { parseArgs } from 'node:util';
import { auditRecorder } from '../../access/audit.ts';
import { ROLE_NAMES, ROLES } from '../../access/roles.ts';
import { staffAccounts } from '../../access/staff-accounts.ts';
import { AppError } from '../../errors.ts';
import { createMailer, staffLinkSender } from '../../mail/index.ts';
import type { Role, Store, User } from '../../store/types.ts';
import { withStore } from '../open.ts';
import { listStaff } from '../../http/api/staff/staff-routes.ts';

const usage = `usage: attendance staff list [--school <id>] [--trust <id>] [--json]
       attendance staff invite --name <name> --email <email> --role ${ROLES.join('|')} [--school <id>] [--trust <id>] [--la <local authority>] [--sso-only]
       attendance staff change --email <email> [--role <role>] [--school <id>] [--trust <id>] [--la <local authority>] [--name <name>]
       attendance staff reset --email <email>
       attendance staff deactivate --email <email> [--takeover <email>]
       attendance staff reactivate --email <email>
       attendance staff move-cases --email <email> --to <email>
options for every action: --as <email>  act as this administrator or trust administrator (default: the service operator, who may do anything)

invite: creates the account and emails a link to choose a password (it works once, for 7 days), through
SMTP_URL (or the embedded mailer, which keeps the email under DATA_DIR/mail); with --sso-only no email
is sent and the person signs in through single sign-on. reset: emails a link that works for 24 hours.
deactivate: signs them out at once; --takeover moves their open cases to another member of staff.`;

/** Who the CLI acts as: a named account, or the operator of the service (who has its database anyway). */
async function actor(store: Store, as: string | undefined): Promise<User> {
  if (as === undefined) {
    return { id: `cli:${process.env.USER ?? 'unknown'}`, email: '', name: 'The service administrator', role: 'admin', schoolId: null, trustId: null, localAuthority: null, passwordHash: null, active: true, createdAt: new Date() };
  }
  const user = await store.findUserByEmail(as);
  if (!user?.active || (user.role !== 'admin' && user.role !== 'trustAdmin')) throw new AppError(403, 'forbidden', `${as} is not an active administrator or trust administrator`);
  return user;
}

async function accountId(store: Store, email: string | undefined, option: string): Promise<string> {
  if (!email) throw new AppError(400, 'usage', `give --${option} <email>`);
  const user = await store.findUserByEmail(email);
  if (!user) throw new AppError(404, 'not_found', `no account with the email ${email}`);
  return user.id;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      school: { type: 'string' },
      trust: { type: 'string' },
      la: { type: 'string' },
      'sso-only': { type: 'boolean', default: false },
      takeover: { type: 'string' },
      to: { type: 'string' },
      as: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!['list', 'invite', 'change', 'reset', 'deactivate', 'reactivate', 'move-cases'].includes(action ?? '')) {
    console.error(usage);
    return 2;
  }
  try {
    return await withStore(async (store, config) => {
      const now = () => new Date();
      const mailer = createMailer(config);
      try {
        const staff = staffAccounts({ store, now, caseNow: now, audit: auditRecorder(store, now), sendLink: staffLinkSender(mailer, config.PUBLIC_URL) });
        const me = await actor(store, values.as);
        if (action === 'list') {
          const lines = await listStaff({ store, staff, now }, me, { school: values.school, trust: values.trust });
          if (values.json) console.log(JSON.stringify(lines, null, 2));
          for (const line of values.json ? [] : lines) {
            const status = !line.active ? 'deactivated' : line.pendingLink ? `${line.pendingLink.purpose === 'invite' ? 'invited' : 'reset sent'}, link until ${line.pendingLink.expiresAt.toISOString()}` : 'active';
            console.log(`${line.name} <${line.email}>  ${line.roleName}  ${line.schoolName ?? line.trustId ?? line.localAuthority ?? 'every school'}  ${line.signsInWith}  ${status}`);
          }
          return 0;
        }
        if (action === 'invite') {
          if (!values.name || !values.email || !ROLES.includes(values.role as Role)) throw new AppError(400, 'usage', `give --name, --email and --role (${ROLES.join(', ')})`);
          const role = values.role as Role;
          const { user, linkExpiresAt } = await staff.invite(me, { name: values.name, email: values.email, role, schoolId: values.school ?? null, trustId: values.trust ?? null, localAuthority: values.la ?? null, ssoOnly: values['sso-only'] });
          console.log(`${user.name} <${user.email}> is a ${ROLE_NAMES[role].toLowerCase()}: ${linkExpiresAt ? `a link to choose a password was emailed (works until ${linkExpiresAt.toISOString()})` : 'signs in with single sign-on (no email sent)'}`);
          return 0;
        }
        const id = await accountId(store, values.email, 'email');
        if (action === 'change') {
          if (values.role !== undefined && !ROLES.includes(values.role as Role)) throw new AppError(400, 'usage', `--role is one of ${ROLES.join(', ')}`);
          const changed = await staff.change(me, id, { role: values.role as Role | undefined, schoolId: values.school, trustId: values.trust, localAuthority: values.la, name: values.name });
          console.log(`${changed.name} <${changed.email}> is now a ${ROLE_NAMES[changed.role].toLowerCase()} (${changed.schoolId ?? changed.trustId ?? changed.localAuthority ?? 'every school'})`);
        } else if (action === 'reset') {
          const sent = await staff.sendPasswordLink(me, id);
          console.log(`a link to choose a password was emailed to ${values.email} (works until ${sent.expiresAt.toISOString()})`);
        } else if (action === 'deactivate') {
          const takeover = values.takeover ? await accountId(store, values.takeover, 'takeover') : undefined;
          const { movedCases } = await staff.setActive(me, id, false, takeover);
          console.log(`${values.email} is deactivated and signed out${takeover ? `; ${movedCases} open case(s) moved to ${values.takeover}` : ''}`);
        } else if (action === 'reactivate') {
          await staff.setActive(me, id, true);
          console.log(`${values.email} is active again`);
        } else {
          const moved = await staff.moveCases(me, id, await accountId(store, values.to, 'to'));
          console.log(`${moved.length} open case(s) moved from ${values.email} to ${values.to}`);
        }
        return 0;
      } finally {
        mailer.close();
      }
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(error.message);
    return error.code === 'usage' ? 2 : 1;
  }
}
