/* The admin's export page: the "Select all" box ticks or clears every field to export.
   django-import-export wires it with an onchange attribute, which the Content-Security-Policy
   blocks, so a listener does the same job. */
(function () {
  "use strict";
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      document
        .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
        .forEach(function (checkbox) {
          checkbox.checked = toggle.checked;
        });
    });
  });
})();
