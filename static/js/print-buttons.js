/* A button marked data-print prints the page (the remittance advice, the message to the GP).
   A listener rather than an onclick attribute, which the Content-Security-Policy forbids. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
