// A device import's admin page while the import is queued or running: fetch the page
// again every few seconds and update the progress in place (the row count is a status
// region, announced politely). Once the import has finished, load the page once for its
// results. Without scripts, the "Check again" link does the same by hand.
(function () {
  "use strict";
  var panel = document.getElementById("import-progress-panel");
  if (!panel || !panel.dataset.refresh) return;
  var seconds = Math.max(2, parseInt(panel.dataset.refresh, 10) || 3);

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { window.setTimeout(poll, seconds * 1000); return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("import-progress-panel");
        if (!fresh || !fresh.dataset.refresh) { window.location.reload(); return; }
        var bar = document.getElementById("import-progress");
        var freshBar = page.getElementById("import-progress");
        if (bar && freshBar) bar.value = freshBar.value;
        var text = document.getElementById("import-progress-text");
        var freshText = page.getElementById("import-progress-text");
        if (text && freshText && text.textContent !== freshText.textContent) {
          text.textContent = freshText.textContent;
        }
        window.setTimeout(poll, seconds * 1000);
      })
      .catch(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
