import { parseArgs } from 'node:util';
import { loadConfig, storeKind } from '../../config.ts';
import { startService } from '../../main.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log('usage: attendance serve [--role all|web|worker] [--port N]\nEnvironment: see the README configuration table.');
    return 0;
  }
  const config = loadConfig({ ...process.env, ...(values.role ? { ROLE: values.role } : {}), ...(values.port ? { PORT: values.port } : {}) });
  const service = await startService(config);
  console.log(
    `attendance service started (${config.ROLE === 'all' ? 'web + worker' : config.ROLE}) on ${service.opened.where} [${storeKind(config)}]` +
      (service.demoLoaded ? '\n  loaded the demo trusts (the five seed settings, synthetic pupils and a term of marks)' : '') +
      (service.url ? `\n  open ${service.url}` : '') +
      (service.setupLink
        ? `\n\n  No administrator exists yet. To create the first one, open this one-time link\n  (it works once, until ${service.setupLink.expiresAt.toISOString()}; a restart prints a new one):\n\n    ${service.setupLink.url}\n`
        : ''),
  );
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`${signal} received: finishing running jobs and stopping`);
      resolve();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await service.stop();
  // Agenda leaves a timer for its next recurring run even after stopping; everything that
  // matters is closed by now, so do not wait for it.
  process.exit(0);
}
