/* The claim page's live figures: as a cost is typed, ask the server (the one money rule) for
   the line's breakdown and show it, never working it out here. Each row carries the URL to ask
   in data-breakdown-url. */
(function () {
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
    if (data.warning) {
      cell.appendChild(document.createElement("br"));
      var warning = document.createElement("span");
      warning.className = "tag tag--warning";
      warning.textContent = data.warning;
      cell.appendChild(warning);
    }
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
