// Keyboard focus after an htmx swap of the catalog results. Facet links keep focus by their ids (htmx
// restores it); a control that goes away with the old results (pager, clear-filters, "did you mean")
// would drop focus to the top of the page, so start again at the new results' heading instead.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var heading = document.getElementById("hits-heading");
    var lost = !document.activeElement || document.activeElement === document.body;
    if (target && target.id === "results" && heading && lost) { heading.focus(); }
  });
})();
