/* The claim page's live figures: as a cost is typed, ask the server (the one money rule) for
   the line's breakdown and show it, never working it out here. Each row carries the URL to ask
   in data-breakdown-url. */
(function () {
  /* Which maximum priced the line, as templates/reimbursement/_rate_provenance.html shows it. */
  function provenance(p) {
    var small = document.createElement("small");
    var span = document.createElement("span");
    span.className = "rate-provenance";
    span.dataset.testid = "rate-provenance";
    span.dataset.provenance = p.provenance;
    if (p.basis) { span.title = p.basis; }
    span.appendChild(document.createTextNode(p.summary + " – "));
    var tag = document.createElement("strong");
    tag.className = "nhsuk-tag " + (p.derived ? "nhsuk-tag--yellow" :
      p.provenance === "published" ? "nhsuk-tag--green" : "nhsuk-tag--blue");
    tag.textContent = p.text;
    span.appendChild(tag);
    if (p.basis) {
      var basis = document.createElement("span");
      basis.className = "nhsuk-u-visually-hidden";
      basis.textContent = " (basis: " + p.basis + ")";
      span.appendChild(basis);
    }
    small.appendChild(span);
    return small;
  }
  function show(cell, data) {
    cell.textContent = "";
    if (!data.ok) {
      var error = document.createElement("span");
      error.className = "error-message";
      error.textContent = (data.errors || []).join(" ");
      cell.appendChild(error);
      return;
    }
    var b = data.breakdown;
    cell.appendChild(document.createTextNode(
      "Cost £" + b.cost + " × " + b.rate + "%; cap £" + b.annual_max + " ÷ 12 × " + b.wte +
      " WTE × " + b.days_in_post + "/" + b.days_in_month + " days = £" + b.cap +
      (b.fee !== "0.00" ? "; fee £" + b.fee : "") + ". "));
    var total = document.createElement("strong");
    total.textContent = "Reimbursable £" + b.reimbursable;
    cell.appendChild(total);
    if (b.provenance) {
      cell.appendChild(document.createElement("br"));
      cell.appendChild(provenance(b.provenance));
    }
    if (data.warnings && data.warnings.length) {
      cell.appendChild(callout(data.warnings));
    }
  }
  /* Warnings do not stop a save: the NHS.UK warning callout, as templates/_warning_callout.html
     draws it for a saved line. */
  function callout(warnings) {
    var card = document.createElement("div");
    card.className = "nhsuk-card nhsuk-card--warning";
    card.dataset.testid = "warning-callout";
    var content = document.createElement("div");
    content.className = "nhsuk-card__content";
    var heading = document.createElement("h3");
    heading.className = "nhsuk-card__heading";
    var text = document.createElement("span");
    text.setAttribute("role", "text");
    var hidden = document.createElement("span");
    hidden.className = "nhsuk-u-visually-hidden";
    hidden.textContent = "Important: ";
    text.appendChild(hidden);
    text.appendChild(document.createTextNode("Check this"));
    heading.appendChild(text);
    content.appendChild(heading);
    warnings.forEach(function (warning) {
      var paragraph = document.createElement("p");
      paragraph.textContent = warning;
      content.appendChild(paragraph);
    });
    card.appendChild(content);
    return card;
  }
  document.querySelectorAll("tr[data-breakdown-url]").forEach(function (row) {
    var timer = null;
    var cell = row.querySelector("[data-breakdown]");
    row.querySelectorAll("input[data-cost]").forEach(function (input) {
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var params = new URLSearchParams();
          row.querySelectorAll("input[data-cost]").forEach(function (field) {
            params.append(field.name.split("-").pop(), field.value);
          });
          fetch(row.dataset.breakdownUrl + "?" + params.toString(), {
            headers: {"Accept": "application/json"}, credentials: "same-origin"
          }).then(function (response) { return response.json(); })
            .then(function (data) { show(cell, data); })
            .catch(function () { cell.textContent = "Could not work the figures out just now; they will be worked out when you save."; });
        }, 300);
      });
    });
  });
})();
