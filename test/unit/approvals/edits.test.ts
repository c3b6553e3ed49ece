import { describe, it, expect } from 'vitest';
import { editedMessage, withEvidenceLink } from '../../../src/approvals/edits.ts';

describe('an approved edit', () => {
  it('when a legal step was edited, then the evidence link is still added to what is sent', () => {
    const edit = { subject: 'NTI request', text: 'Please issue a Notice to Improve.' };
    const sent = editedMessage(withEvidenceLink(edit, { url: 'https://service.example/api/evidence-links/x?sig=y', expiresOn: '2025-01-08' }));
    expect(sent.text).toBe('Please issue a Notice to Improve.\n\nThe evidence pack: https://service.example/api/evidence-links/x?sig=y (this link expires on 2025-01-08).');
    expect(sent.html).toContain('<p>The evidence pack: https://service.example/api/evidence-links/x?sig=y (this link expires on 2025-01-08).</p>');
  });

  it('when a letter has no evidence link, then the edit is sent as written, escaped', () => {
    const sent = editedMessage(withEvidenceLink({ subject: 'Letter B', text: 'Dear <parent>,\n\nline' }, null));
    expect(sent.text).toBe('Dear <parent>,\n\nline');
    expect(sent.html).toContain('<p>Dear &lt;parent&gt;,</p>');
  });
});
