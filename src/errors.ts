// The core's one error type; transports map it (src/http/errors.ts for HTTP; the CLI prints the message).
/** Thrown by use cases for outcomes the caller must see: `status` is the HTTP status a transport answers with. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
