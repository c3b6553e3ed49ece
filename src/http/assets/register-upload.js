/* global document, window, XMLHttpRequest, DOMParser */
// Progressive enhancement of the register upload: the form posts as it is without this file;
// with it, the file is sent by XMLHttpRequest so a bar shows how much has gone, then the answer
// (the report, or the column-matching page) replaces the page as the plain post would.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('register-upload');
  const box = document.getElementById('upload-progress');
  const bar = document.getElementById('upload-bar');
  const status = document.getElementById('upload-status');
  if (!form || !box || !bar || !status || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
  const megabytes = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const again = () => {
    for (const button of form.querySelectorAll('button[type="submit"]')) {
      button.disabled = false;
      button.removeAttribute('aria-disabled');
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // The form's own order (the token and choices before the file) is what the server reads first.
    const data = new FormData(form);
    const xhr = new XMLHttpRequest();
    box.hidden = false;
    bar.value = 0;
    status.textContent = 'Sending the file…';
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      bar.value = Math.round((e.loaded / e.total) * 100);
      status.textContent = `Sent ${bar.value}% (${megabytes(e.loaded)} MB of ${megabytes(e.total)} MB)`;
    });
    xhr.upload.addEventListener('load', () => {
      bar.value = 100;
      status.textContent = 'The file is sent. Checking and importing it: this page changes when that is done.';
    });
    xhr.addEventListener('load', () => {
      const doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      const first = document.querySelector('[data-autofocus]') || document.querySelector('h1');
      if (first) {
        if (!first.hasAttribute('tabindex')) first.setAttribute('tabindex', '-1');
        first.focus();
      }
    });
    xhr.addEventListener('error', () => {
      status.textContent = 'The upload did not finish (the connection dropped). Nothing was imported: send the file again.';
      again();
    });
    xhr.open('POST', form.action);
    xhr.send(data);
  });
});
