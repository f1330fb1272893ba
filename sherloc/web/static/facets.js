// On a narrow screen the search filters start folded, so the results come first.
(function () {
  var filters = document.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 700px)").matches) filters.removeAttribute("open");
})();
