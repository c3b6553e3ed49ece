/* global document, mermaid */
// Draws the workflow's Mermaid text as a diagram; without script (or if drawing fails) the text itself stays.
// Mermaid 11 refuses a description on a composite state ("Group nodes can only have label"); the
// descriptions stay readable in the text below the drawing.
function drawable(text) {
  const groups = new Set([...text.matchAll(/^\s*state (\S+) \{/gm)].map((match) => match[1]));
  return text
    .split('\n')
    .filter((line) => !groups.has(line.trim().split(' : ')[0]) || !line.includes(' : '))
    .join('\n');
}

document.addEventListener('DOMContentLoaded', async () => {
  if (typeof mermaid === 'undefined') return;
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
  for (const [index, source] of [...document.querySelectorAll('pre[data-diagram]')].entries()) {
    try {
      // textContent is the diagram as written: the page escaped it, the browser has unescaped it.
      const { svg } = await mermaid.render(`workflow-diagram-${index}`, drawable(source.textContent));
      const drawn = document.createElement('div');
      drawn.className = 'diagram-drawn';
      drawn.innerHTML = svg;
      source.after(drawn);
    } catch (error) {
      console.warn('the diagram could not be drawn', error);
    }
  }
});
