/* A form is sent once: after the first press of its submit button, more presses (a double
   click, an impatient second press) do nothing while the next page loads. The server does not
   rely on this: a repeated post makes no duplicate (pcn_admin/submissions.py); this only spares
   the wait and the "sent more than once" message.

   The buttons are disabled only after the browser has read the form, so the pressed button's
   name and value (e.g. action=submit on the claim page) still go with it. Forms sent with GET
   (filters) are left alone. If no page comes back within a while (a lost connection), the
   buttons work again so the form can be resent. */
(function () {
  "use strict";

  var RETRY_AFTER_MS = 10000;
  var BUTTONS = 'button:not([type]), button[type="submit"], input[type="submit"]';

  function release(form) {
    delete form.dataset.sending;
    form.querySelectorAll(BUTTONS).forEach(function (button) {
      if (button.dataset.sendingDisabled) {
        button.disabled = false;
        delete button.dataset.sendingDisabled;
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return; // another script stopped this submission: nothing was sent
    }
    form.dataset.sending = "true";
    window.setTimeout(function () {
      form.querySelectorAll(BUTTONS).forEach(function (button) {
        if (!button.disabled) {
          button.disabled = true;
          button.dataset.sendingDisabled = "true";
        }
      });
    }, 0);
    window.setTimeout(function () { release(form); }, RETRY_AFTER_MS);
  });

  // A page the browser kept and shows again (its Back button) gets working forms.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-sending]").forEach(release);
    }
  });
})();
