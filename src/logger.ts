import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs without personal data: pupil names, contacts and register details never go in
 * a log line; ids do. The redaction list is a safety net for fields that slip through.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'attendance' },
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.email', '*.phone', '*.forename', '*.surname', '*.name'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
