// Live preview for the policy editor: after a pause in typing, the text is
// rendered by the server (the same sanitizing renderer readers get) and
// shown beside the editor. Without this script the Preview button does it.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var body = document.getElementById("body");
  var preview = document.getElementById("preview");
  if (!form || !body || !preview || !window.fetch) return;
  var timer = null, seq = 0;
  function refresh() {
    var mine = ++seq;
    var data = new URLSearchParams();
    data.set("csrf", form.elements.csrf.value);
    data.set("body", body.value);
    fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (mine === seq) { preview.innerHTML = html; } })
      .catch(function () { /* the Preview button still works */ });
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
