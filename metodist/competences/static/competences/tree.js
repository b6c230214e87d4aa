/* The framework tree: search by code or text, filter by competence area, expand / collapse.
   No inline code (CSP): the page marks its controls with data-tree-* attributes naming the tree. */
(function () {
  "use strict";

  function items(tree) {
    return Array.prototype.slice.call(tree.querySelectorAll(".tree-item"));
  }

  function apply(tree) {
    var search = document.querySelector('[data-tree-search="#' + tree.id + '"]');
    var area = document.querySelector('[data-tree-area="#' + tree.id + '"]');
    var status = document.querySelector('[data-tree-status="#' + tree.id + '"]');
    var words = (search ? search.value : "").toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = area ? area.value : "";
    var all = items(tree);
    if (!words.length && !wanted) {
      all.forEach(function (li) { li.hidden = false; });
      if (status) { status.textContent = ""; }
      return;
    }
    all.forEach(function (li) { li.hidden = true; });
    var found = 0;
    all.forEach(function (li) {
      var text = li.getAttribute("data-search") || "";
      var areas = (li.getAttribute("data-areas") || "").split(" ");
      var matches = words.every(function (w) { return text.indexOf(w) !== -1; }) && (!wanted || areas.indexOf(wanted) !== -1);
      if (!matches) { return; }
      found += 1;
      li.hidden = false;
      var parent = li.parentElement;
      while (parent && parent !== tree) {
        if (parent.classList.contains("tree-item")) { parent.hidden = false; }
        if (parent.tagName === "DETAILS") { parent.open = true; }
        parent = parent.parentElement;
      }
    });
    if (status) { status.textContent = "Найдено: " + found; }
  }

  function each(selector, handler) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), handler);
  }

  document.addEventListener("DOMContentLoaded", function () {
    each("[data-tree-search]", function (input) {
      var tree = document.querySelector(input.getAttribute("data-tree-search"));
      if (tree) { input.addEventListener("input", function () { apply(tree); }); }
    });
    each("[data-tree-area]", function (select) {
      var tree = document.querySelector(select.getAttribute("data-tree-area"));
      if (tree) { select.addEventListener("change", function () { apply(tree); }); }
    });
    each("[data-tree-expand]", function (button) {
      button.addEventListener("click", function () {
        each(button.getAttribute("data-tree-expand") + " details", function (d) { d.open = true; });
      });
    });
    each("[data-tree-collapse]", function (button) {
      button.addEventListener("click", function () {
        each(button.getAttribute("data-tree-collapse") + " details", function (d) { d.open = false; });
      });
    });
  });
})();
