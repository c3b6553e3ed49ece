import { AppError } from '../errors.ts';
import type { LetterLogo } from '../store/types.ts';

/** Larger than any letterhead logo needs to be: it is drawn 50 × 22 mm, and goes inside every email. */
export const MAX_LOGO_BYTES = 300 * 1024;
const MAX_SIDE = 4000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's size from its header (IHDR, always the first chunk), or null when it is not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A JPEG's size from its first start-of-frame segment, or null when it is not a JPEG or has none. */
function jpegSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] ?? 0;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = bytes.readUInt16BE(at + 2);
    // SOF0–SOF15, but not DHT (C4), JPG (C8) or DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) return null;
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

/**
 * An uploaded logo, if it is one: a PNG or JPEG by its first bytes (never by its name or the type the
 * browser claimed), within MAX_LOGO_BYTES, with a sensible size in pixels. The PDF drawing then
 * reads it whole (school-letters.ts) before it is kept.
 */
export function readLogo(bytes: Buffer): LetterLogo {
  if (bytes.length === 0) throw new AppError(400, 'logo_empty', 'The logo file is empty.');
  if (bytes.length > MAX_LOGO_BYTES) throw new AppError(413, 'logo_too_large', `The logo is ${Math.ceil(bytes.length / 1024)} KB; the most a letterhead logo takes is ${MAX_LOGO_BYTES / 1024} KB. Save it smaller (a few hundred pixels wide is plenty).`);
  const png = pngSize(bytes);
  const jpeg = png ? null : jpegSize(bytes);
  const size = png ?? jpeg;
  if (!size) throw new AppError(422, 'logo_not_image', 'The logo must be a PNG or JPEG image: this file is neither.');
  if (size.width < 1 || size.height < 1 || size.width > MAX_SIDE || size.height > MAX_SIDE) {
    throw new AppError(422, 'logo_size', `The logo is ${size.width} × ${size.height} pixels; a logo is between 1 and ${MAX_SIDE} pixels each way.`);
  }
  return { contentType: png ? 'image/png' : 'image/jpeg', bytes };
}
