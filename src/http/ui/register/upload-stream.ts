import busboy from 'busboy';
import { PassThrough, type Readable } from 'node:stream';
import type { Request } from 'express';
import { AppError } from '../../../errors.ts';

export interface StreamedFile {
  name: string;
  stream: Readable;
}

const unreadable = () => new AppError(400, 'bad_request', 'The upload could not be read: send the form again.');

const sizeOf = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.ceil(bytes / 1024)} KB`);

export const tooLarge = (maxBytes: number) =>
  new AppError(413, 'file_too_large', `The file is larger than ${sizeOf(maxBytes)}, the most this service takes in one upload. Export a shorter period (a term at a time), or ask whoever runs the service to raise REGISTER_UPLOAD_MAX_MB.`);

/**
 * A register upload as multipart/form-data, the file never held whole: the form's fields (which
 * must come before the file, as the page's form puts them) and the file's stream go to `handle`
 * while the file is still arriving. Past `maxBytes` the file's stream fails, so the import stops
 * and writes nothing, and the answer is a 413; so does a browser that goes away mid-upload.
 */
export function streamUpload<T>(req: Request, maxBytes: number, handle: (fields: Record<string, string>, file: StreamedFile) => Promise<T>): Promise<T> {
  if (!req.is('multipart/form-data')) return Promise.reject(new AppError(400, 'bad_request', 'This form sends a file: it must be sent as multipart/form-data.'));
  // A declared length past the cap is refused before a byte is read (the form's own parts are far under 64 KB).
  if (Number(req.get('content-length') ?? 0) > maxBytes + 64 * 1024) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 8, parts: 9, fileSize: maxBytes, fieldSize: 4096, fieldNameSize: 50 } });
    } catch {
      reject(unreadable());
      return;
    }
    const fields: Record<string, string> = {};
    let failure: AppError | null = null;
    let handling: Promise<T> | null = null;
    // What the handler reads: the file's own stream stays busboy's, read to the end whatever happens, so the form always finishes.
    let body: PassThrough | null = null;
    const fail = (error: AppError) => {
      failure ??= error;
      // The import reading the file stops at once, and writes nothing.
      body?.destroy(failure);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new AppError(400, 'bad_request', 'A field of the form is longer than it should be.'));
      else fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      stream.on('limit', () => {
        stream.unpipe();
        stream.resume();
        fail(tooLarge(maxBytes));
      });
      stream.on('error', () => fail(unreadable()));
      if (failure || handling) {
        stream.resume();
        return;
      }
      body = new PassThrough();
      stream.pipe(body);
      handling = handle(fields, { name: String(info.filename ?? '').slice(0, 255), stream: body });
      // Whatever the handler leaves unread (a refused file, a header nothing fits) is read to the end, so the browser hears the answer.
      handling
        .finally(() => {
          stream.unpipe();
          stream.resume();
        })
        .catch(() => {});
    });
    parser.on('partsLimit', () => fail(new AppError(400, 'bad_request', 'The form has more parts than it should.')));
    parser.on('filesLimit', () => fail(new AppError(400, 'bad_request', 'Send one file at a time.')));
    parser.on('fieldsLimit', () => fail(new AppError(400, 'bad_request', 'The form has more fields than it should.')));
    let ended = false;
    // The answer waits for the form's end (or its failure) and for the handler, whichever is last.
    const finish = () => {
      if (ended) return;
      ended = true;
      if (!handling) {
        reject(failure ?? new AppError(400, 'bad_request', 'Choose a file to upload: the CSV file your MIS exported.'));
        return;
      }
      handling.then(
        (value) => (failure ? reject(failure) : resolve(value)),
        (error: unknown) => reject(failure ?? error),
      );
    };
    parser.on('error', () => {
      fail(unreadable());
      finish();
    });
    parser.on('close', finish);
    // A browser that goes away mid-upload never ends the form: the import is stopped, not waited for.
    req.on('close', () => {
      if (req.complete) return;
      fail(new AppError(400, 'bad_request', 'The upload stopped before the whole file arrived. Nothing was imported: send it again.'));
      finish();
    });
    req.pipe(parser);
  });
}
