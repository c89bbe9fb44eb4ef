/* The site chrome's two scripted controls, for pages that load none of CKAN's
 * scripts (the registry home and the national map: a page of figures or a map
 * needs no 250 KB of jQuery, Bootstrap, moment, select2 and htmx):
 * - the menu button on a phone, as Bootstrap's collapse does for the header's toggler;
 * - the footer's language menu, which goes to the chosen language on change, as
 *   CKAN's select-switch module does (its Go button is hidden). */
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
    Array.prototype.forEach.call(document.querySelectorAll("form.lang-select select"), function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
