/* "Embed in a website": the Copy button of the iframe code (the map, the
 * registry home). A plain script, needing none of CKAN's: the registry home
 * loads no other. Without JavaScript the code stays selectable in its box. */
(function () {
  "use strict";

  function setUp(root) {
    var button = root.querySelector(".ocsregistry-copy");
    var code = root.querySelector(".ocsregistry-embed-code");
    if (!button || !code) { return; }
    var status = root.querySelector(".ocsregistry-copy-status");
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      code.focus();
      code.select();
      function say(text) {
        button.textContent = text;
        if (status) { status.textContent = text; }
        window.setTimeout(function () { button.textContent = label; }, 4000);
      }
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(code.value)
        : Promise.reject(new Error("no clipboard"));
      copied.then(function () { say(button.getAttribute("data-copied")); }, function () {
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        say(button.getAttribute(ok ? "data-copied" : "data-failed"));
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".ocsregistry-embed-share"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
