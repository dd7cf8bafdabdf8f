// When the tab's app has closed (Ctrl+Q, logout in another tab, idle time), textual.js marks the
// body "-closed": go to the server's page that says whether the session has ended, instead of
// leaving a dead terminal.
(function () {
  "use strict";
  function watch() {
    var body = document.body;
    var observer = new MutationObserver(function () {
      if (body.classList.contains("-closed")) {
        observer.disconnect();
        window.location.replace("/closed");
      }
    });
    observer.observe(body, { attributes: true, attributeFilter: ["class"] });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
