// Live progress for an upload being checked: asks the service for the upload's status every
// 1.5 seconds, shows the stage and how many rules have run, and reloads the page when the check
// has finished. Without JavaScript the page has a link to refresh it by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-upload-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-upload-status-url");
  var stage = box.querySelector("[data-stage]");
  var count = box.querySelector("[data-count]");
  var bar = box.querySelector("progress");

  function poll() {
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        if (stage) {
          stage.textContent = status.stage || status.status_label;
        }
        if (count && status.checks_total) {
          count.textContent =
            status.checks_done + " of " + status.checks_total + " rules checked (" + status.percent + "%).";
        }
        if (bar) {
          // the bar only moves forward: a late answer (or a check started again by another
          // worker) never takes it back
          bar.value = Math.max(bar.value || 0, status.percent || 0);
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1500);
})();
