/* The site menu's button on a phone, for pages that load none of CKAN's
 * scripts (the registry home: a page of figures needs no 250 KB of
 * jQuery, Bootstrap, moment, select2 and htmx). Does what Bootstrap's
 * collapse does for the header's toggler. */
(function () {
  "use strict";

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-bs-toggle="collapse"]'), function (button) {
      var target = document.querySelector(button.getAttribute("data-bs-target"));
      if (!target) { return; }
      button.addEventListener("click", function () {
        var open = target.classList.toggle("show");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.classList.toggle("collapsed", !open);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
