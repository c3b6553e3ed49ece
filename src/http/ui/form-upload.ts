import busboy from 'busboy';
import type { Request } from 'express';
import { AppError } from '../../errors.ts';

export interface FormUpload {
  fields: Record<string, string>;
  file: { name: string; bytes: Buffer } | null;
}

/**
 * A page's form sent as multipart/form-data: one file (at most `maxFileBytes`, else `tooLarge()`)
 * and a few short fields (at most that size too: the calendar preview's save form carries the
 * file's text back as one). Anything more is refused before it is read whole.
 */
export function readFormUpload(req: Request, maxFileBytes: number, tooLarge: () => AppError): Promise<FormUpload> {
  if (!req.is('multipart/form-data')) return Promise.reject(new AppError(400, 'bad_request', 'This form sends a file: it must be sent as multipart/form-data.'));
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 8, parts: 9, fileSize: maxFileBytes, fieldSize: maxFileBytes + 4096, fieldNameSize: 50 } });
    } catch {
      reject(new AppError(400, 'bad_request', 'The upload could not be read: send the form again.'));
      return;
    }
    const fields: Record<string, string> = {};
    let file: FormUpload['file'] = null;
    let failed: AppError | null = null;
    const fail = (error: AppError) => {
      failed ??= error;
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(tooLarge());
      else fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge()));
      // A form cut short fails the file's stream too; the parser's own error answers for both.
      stream.on('error', () => fail(new AppError(400, 'bad_request', 'The upload could not be read: send the form again.')));
      stream.on('close', () => {
        // A form sent with no file chosen still has the part, empty and nameless.
        if (info.filename || chunks.length > 0) file = { name: String(info.filename ?? '').slice(0, 255), bytes: Buffer.concat(chunks) };
      });
    });
    parser.on('partsLimit', () => fail(new AppError(400, 'bad_request', 'The form has more parts than it should.')));
    parser.on('filesLimit', () => fail(new AppError(400, 'bad_request', 'Send one file at a time.')));
    parser.on('fieldsLimit', () => fail(new AppError(400, 'bad_request', 'The form has more fields than it should.')));
    parser.on('error', () => reject(failed ?? new AppError(400, 'bad_request', 'The upload could not be read: send the form again.')));
    parser.on('close', () => (failed ? reject(failed) : resolve({ fields, file })));
    // A browser that goes away mid-upload never ends the form: nothing is waited for.
    req.on('close', () => {
      if (!req.complete) reject(new AppError(400, 'bad_request', 'The upload stopped before the whole file arrived.'));
    });
    req.pipe(parser);
  });
}
