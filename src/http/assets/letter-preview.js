/* global document, window */
// The live preview of a letter's wording: a moment after typing stops, the draft is sent to the
// preview route and the PDF it answers is shown beside the form; a wording that cannot be made
// into a letter shows the route's message (naming the line) instead. Without this file the
// "Preview as a PDF" button opens the same PDF in a new tab.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('wording-form');
  const source = document.getElementById('source');
  const section = document.getElementById('live-preview');
  const frame = document.getElementById('preview-frame');
  const status = document.getElementById('preview-status');
  if (!form || !source || !section || !frame || !status || !window.fetch || !window.URL) return;
  const token = form.querySelector('input[name="_csrf"]').value;
  let timer = null;
  let shown = null;
  let sequence = 0;

  async function preview() {
    const mine = (sequence += 1);
    status.textContent = 'Making the preview…';
    try {
      const res = await fetch(form.dataset.preview, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ source: source.value }),
      });
      if (mine !== sequence) return;
      if (!res.ok) {
        const answer = await res.json().catch(() => null);
        const problems = answer && answer.error && answer.error.details && answer.error.details.problems;
        status.textContent = (answer && answer.error && answer.error.message) || `The preview could not be made (${res.status}).`;
        if (problems && problems.length && !answer.error.details.line) status.textContent += ` ${problems.map((p) => p.message).join('; ')}`;
        return;
      }
      const url = URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' }));
      if (shown) URL.revokeObjectURL(shown);
      shown = url;
      frame.src = url;
      status.textContent = 'The preview shows the wording in the box.';
    } catch {
      if (mine === sequence) status.textContent = 'The preview could not be made: check your connection.';
    }
  }

  section.hidden = false;
  source.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(preview, 800);
  });
  preview();
});
