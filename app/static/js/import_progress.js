/* Import pages (staff, pupils with parents): send the file in the background and show its
   progress - the upload as a percentage, then the server's checking and importing with the
   time elapsed - and put the server's answer (the result or the list of errors) in place.
   Without JavaScript the form posts as usual. Strings come translated from the template. */
(function () {
  "use strict";
  var form = document.getElementById("kd-import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = document.getElementById("kd-import-progress");
  var bar = box.querySelector(".progress-bar");
  var label = box.querySelector(".kd-import-phase");
  var timer = null;

  function show(percent, text) {
    box.style.display = "block";
    bar.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
    label.textContent = text;
  }

  form.addEventListener("submit", function (ev) {
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files || !file.files.length) { return; }
    ev.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        var p = Math.round(e.loaded * 100 / e.total);
        show(p, form.dataset.uploading.replace("%(percent)s", p));
      }
    };
    xhr.upload.onload = function () {
      var started = Date.now();
      bar.classList.add("progress-bar-striped", "active");
      show(100, form.dataset.processing.replace("%(seconds)s", "0"));
      timer = window.setInterval(function () {
        var s = Math.round((Date.now() - started) / 1000);
        label.textContent = form.dataset.processing.replace("%(seconds)s", String(s));
      }, 1000);
    };
    xhr.onload = function () {
      if (timer) { window.clearInterval(timer); }
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      if (timer) { window.clearInterval(timer); }
      if (button) { button.disabled = false; }
      show(0, form.dataset.failed);
    };
    show(0, form.dataset.uploading.replace("%(percent)s", "0"));
    xhr.send(new FormData(form));
  });
}());
