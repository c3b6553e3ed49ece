/* global document, window */
// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // A message after an action (done, conflict, problem) is read first and seen first.
  const notice = document.querySelector('[data-autofocus]');
  if (notice) notice.focus();

  // A second click on a slow form would post the same action twice; the version check stops the
  // second one anyway, but the person should not see a conflict they caused themselves.
  for (const form of document.querySelectorAll('form[method="post"]')) {
    form.addEventListener('submit', () => {
      for (const button of form.querySelectorAll('button[type="submit"]')) {
        button.setAttribute('aria-disabled', 'true');
        setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }

  for (const button of document.querySelectorAll('[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
});
