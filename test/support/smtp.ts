import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A real SMTP server on loopback that keeps what it accepts; `failNext` refuses the next message. */
export async function startSmtp() {
  const received: { to: string[]; mail: ParsedMail }[] = [];
  const state = { failNext: null as null | { code: number; message: string } };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = state.failNext;
        if (failure) {
          state.failNext = null;
          callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
          return;
        }
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        });
      });
    },
  });
  // A client killed mid-conversation (the crash tests' SIGKILL) resets its socket; smtp-server
  // re-emits that on the server, and unheard it would be an uncaught exception of the test run.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { received, state, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
