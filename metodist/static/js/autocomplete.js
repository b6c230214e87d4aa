/* Metodist: <select data-autocomplete-url="…"> becomes a search box (vendored tom-select).

   The select carries only its chosen option; typing asks the URL for «?q=текст» (and, with
   data-autocomplete-follow="territory", «&territory=<value of that field>») and shows the answer
   {"results": [{"id": 1, "text": "МБОУ СОШ № 1"}]}. The answer is already limited to what the user may see. */
(function () {
  "use strict";

  function followedValue(select) {
    var name = select.getAttribute("data-autocomplete-follow");
    if (!name || !select.form) {
      return "";
    }
    var field = select.form.elements.namedItem(name);
    return field && field.value ? field.value : "";
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    var url = select.getAttribute("data-autocomplete-url");
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],  // the server has already matched the text
      maxOptions: 50,
      loadThrottle: 250,
      allowEmptyOption: true,
      preload: "focus",
      placeholder: select.getAttribute("data-placeholder") || "все",
      render: {
        no_results: function () {
          return '<div class="no-results">Ничего не найдено</div>';
        },
        loading: function () {
          return '<div class="spinner-border spinner-border-sm m-2" role="status"></div>';
        }
      },
      shouldLoad: function () {
        return true;
      },
      load: function (query, callback) {
        var params = new URLSearchParams({ q: query });
        var followed = followedValue(select);
        if (followed) {
          params.set(select.getAttribute("data-autocomplete-follow"), followed);
        }
        var self = this;
        fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            self.clearOptions();
            callback(data.results || []);
          })
          .catch(function () { callback(); });
      }
    });
  }

  function enhanceAll(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    Array.prototype.forEach.call(root.querySelectorAll("select[data-autocomplete-url]"), enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
