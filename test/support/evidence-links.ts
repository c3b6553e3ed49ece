import type { EvidenceLinkSettings } from '../../src/evidence/signed-link.ts';

/** A fixed key, so a suite can sign and check links without a DATA_DIR. */
export const testEvidenceLinks = (publicUrl = 'http://attendance.test'): EvidenceLinkSettings => {
  const secret = Promise.resolve(Buffer.from('a test secret, not the service’s', 'utf8'));
  return { publicUrl, secret: () => secret };
};
