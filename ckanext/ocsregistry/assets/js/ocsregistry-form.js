/* The registry record form (type ocs): progressive enhancements only, the
 * form works without JavaScript.
 * - former (pre-2016) regions: only the chosen region's are offered;
 * - the region of a CRIGE covering exactly one is pre-selected;
 * - the lock marks of restricted fields follow the funding visibility;
 * - a link to a field in a closed section opens the section;
 * - fields in error are marked aria-invalid (those the server could not mark). */
(function () {
  "use strict";
  var form = document.getElementById("dataset-edit");
  if (!form || !form.querySelector(".ocsregistry-section")) { return; }

  var region = document.getElementById("field-region_code");
  var org = document.getElementById("field-owner_org");

  function filterFormerRegions() {
    var group = form.querySelector(".ocsregistry-former-regions");
    if (!group || !region) { return; }
    var chosen = region.value, shown = 0;
    group.querySelectorAll("[data-current-region]").forEach(function (item) {
      var match = !chosen || item.getAttribute("data-current-region") === chosen;
      item.hidden = !match;
      if (!match) {
        var box = item.querySelector("input");
        if (box) { box.checked = false; }
      } else { shown += 1; }
    });
    var none = group.querySelector(".ocsregistry-former-none");
    if (none) { none.hidden = shown > 0; }
    group.hidden = false;
  }

  var autoRegion = region && !region.value;
  function preselectRegion() {
    if (!org || !region || !autoRegion) { return; }
    var map = {};
    try { map = JSON.parse(org.getAttribute("data-ocsregistry-org-regions") || "{}"); } catch (e) { map = {}; }
    var covered = map[org.value] || [];
    region.value = covered.length === 1 ? covered[0] : "";
    filterFormerRegions();
  }
  if (region) {
    region.addEventListener("change", function () { autoRegion = false; filterFormerRegions(); });
  }
  if (org) { org.addEventListener("change", preselectRegion); }
  if (autoRegion) { preselectRegion(); }
  filterFormerRegions();

  var visibility = document.getElementById("field-funding_visibility");
  function updateLocks() {
    var isPublic = visibility && visibility.value === "public";
    form.querySelectorAll(".ocsregistry-restricted-mark").forEach(function (mark) {
      var text = mark.querySelector("span");
      if (!text.hasAttribute("data-restricted-text")) {
        text.setAttribute("data-restricted-text", text.textContent);
      }
      text.textContent = isPublic ? mark.getAttribute("data-public-text") : text.getAttribute("data-restricted-text");
      mark.classList.toggle("ocsregistry-restricted-public", isPublic);
    });
  }
  if (visibility) { visibility.addEventListener("change", updateLocks); updateLocks(); }

  function reveal(id, focus) {
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var details = target.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement && details.parentElement.closest("details");
    }
    if (focus) {
      target.scrollIntoView({block: "center"});
      if (typeof target.focus === "function") { target.focus({preventScroll: true}); }
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) { return; }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var target = id && document.getElementById(id);
    if (!target || !form.contains(target)) { return; }
    event.preventDefault();
    reveal(id, true);
  });
  if (location.hash) { reveal(decodeURIComponent(location.hash.slice(1)), true); }

  form.querySelectorAll(".form-group.error").forEach(function (group) {
    var message = group.querySelector(".error-block");
    group.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (control) {
      if (!control.hasAttribute("aria-invalid")) { control.setAttribute("aria-invalid", "true"); }
      if (message && message.id) {
        var described = (control.getAttribute("aria-describedby") || "").split(" ");
        if (described.indexOf(message.id) < 0) {
          described.push(message.id);
          control.setAttribute("aria-describedby", described.join(" ").trim());
        }
      }
    });
  });

  var summary = document.getElementById("ocsregistry-error-summary");
  if (summary && !location.hash) { summary.focus(); }
})();
