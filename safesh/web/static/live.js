// Keeps the page's changing part (#live) current: polls the same fragment the server rendered
// and swaps it in when its version (the ids it shows) changed, unless the human is typing in
// it (a half-written deny reason is never thrown away).
(function () {
  "use strict";
  function busy(live) {
    var active = document.activeElement;
    if (active && live.contains(active) && active.tagName !== "BUTTON") return true;
    var fields = live.querySelectorAll("input[type=text]");
    for (var i = 0; i < fields.length; i++) if (fields[i].value) return true;
    return false;
  }
  function start() {
    var live = document.getElementById("live");
    if (!live) return;
    var every = parseInt(live.getAttribute("data-poll"), 10) || 2000;
    var source = live.getAttribute("data-src");
    function version(html) {
      var found = /data-version="([^"]*)"/.exec(html);
      return found ? found[1] : html;
    }
    var last = version(live.innerHTML);
    function tick() {
      fetch(source, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 401) { window.location = "/login"; return null; }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && version(html) !== last && !busy(live)) {
            live.innerHTML = html;
            last = version(html);
          }
        })
        .catch(function () {})
        .then(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
