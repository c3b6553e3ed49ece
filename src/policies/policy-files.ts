// A policy document as a file: JSON or YAML, read with bounds (size, depth of aliases) and written
// back the same way, so a school can keep its policy beside its other documents and send it back.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { AppError } from '../errors.ts';

export const POLICY_FILE_FORMATS = ['json', 'yaml'] as const;
export type PolicyFileFormat = (typeof POLICY_FILE_FORMATS)[number];
/** A policy is a page or two of settings: anything much larger is not one. */
export const MAX_POLICY_FILE_BYTES = 256 * 1024;

/** The format a file is in: by its name where given, else JSON when it starts like JSON. */
export function policyFormatOf(fileName: string | null, content: string): PolicyFileFormat {
  if (fileName && /\.ya?ml$/i.test(fileName)) return 'yaml';
  if (fileName && /\.json$/i.test(fileName)) return 'json';
  return /^\s*[{[]/.test(content) ? 'json' : 'yaml';
}

/** The file's content as a plain value; a file that cannot be read is a 400 saying where. */
export function readPolicyFile(content: string, format: PolicyFileFormat): unknown {
  if (Buffer.byteLength(content) > MAX_POLICY_FILE_BYTES) throw new AppError(413, 'too_large', `a policy file is at most ${MAX_POLICY_FILE_BYTES / 1024} KB`);
  try {
    // No aliases: a YAML file of a few bytes must not expand into gigabytes.
    return format === 'json' ? JSON.parse(content) : parseYaml(content, { maxAliasCount: 0, uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : 'unreadable';
    throw new AppError(400, 'invalid_request', `the ${format === 'json' ? 'JSON' : 'YAML'} file cannot be read: ${message}`, { problems: [{ in: 'body', field: 'content', message }] });
  }
}

export function writePolicyFile(document: unknown, format: PolicyFileFormat): string {
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringifyYaml(document, { aliasDuplicateObjects: false });
}
