/* Metodist: the little behaviour the pages need, kept out of the templates — the Content-Security-Policy
   runs scripts only from our own static files, never inline code or on…= attributes.

   <form data-confirm="Удалить запись?">  asks before the form is sent;
   <div data-progress="42">             is drawn 42 % wide (progress bars; style= attributes are blocked too),
                                         also in content that htmx swaps in. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }, true);

  function drawProgress(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var bars = Array.prototype.slice.call(root.querySelectorAll("[data-progress]"));
    if (root.hasAttribute && root.hasAttribute("data-progress")) {
      bars.push(root);
    }
    bars.forEach(function (bar) {
      var value = parseFloat(String(bar.getAttribute("data-progress")).replace(",", "."));
      if (!isNaN(value)) {
        bar.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawProgress(document);
  });
  document.addEventListener("htmx:load", function (event) {
    drawProgress(event.detail && event.detail.elt);
  });
})();
