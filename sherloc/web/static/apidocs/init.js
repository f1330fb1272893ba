// Starts Swagger UI on /api/v1/docs with the document the page names; nothing is fetched from elsewhere.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // no call to the online validator
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
