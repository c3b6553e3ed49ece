/* global document, mermaid */
// Draws the workflow's Mermaid text as a diagram; without script (or if drawing fails) the text itself stays.
document.addEventListener('DOMContentLoaded', async () => {
  if (typeof mermaid === 'undefined') return;
  // Drawn at their own size, never shrunk to the column (the words would be too small to read): a
  // diagram wider than the page scrolls in its box.
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { useMaxWidth: false }, state: { useMaxWidth: false } });
  for (const [index, source] of [...document.querySelectorAll('pre[data-diagram]')].entries()) {
    try {
      // textContent is the diagram as written: the page escaped it, the browser has unescaped it.
      const { svg } = await mermaid.render(`workflow-diagram-${index}`, source.textContent);
      const drawn = document.createElement('div');
      drawn.className = 'diagram-drawn';
      drawn.innerHTML = svg;
      source.after(drawn);
    } catch (error) {
      console.warn('the diagram could not be drawn', error);
    }
  }
});
