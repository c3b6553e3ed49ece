/* global document, mermaid */
// Draws the workflow's Mermaid text as a diagram; without script the text itself stays readable.
document.addEventListener('DOMContentLoaded', () => {
  if (typeof mermaid === 'undefined') return;
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
  void mermaid.run({ querySelector: 'pre[data-diagram]' });
});
