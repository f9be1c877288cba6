// The door page's camera scanner: the phone's or laptop's camera reads the attendee's QR ticket with
// jsQR (vendored, runs in the page), then the code goes through the same form as a scanner gun or a
// typed code. Without a camera (or without permission) the page keeps working as before.
(function () {
  "use strict";

  function setup(box) {
    var form = document.querySelector("form[data-reset-after]");
    var input = form && form.querySelector("input[name=code]");
    var start = box.querySelector("[data-scan-start]");
    var stop = box.querySelector("[data-scan-stop]");
    var video = box.querySelector("video");
    var status = box.querySelector("[data-scan-status]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var timer = null;
    var seen = {}; // codes already sent from this page: a ticket held in front of the camera counts once

    if (!form || !input || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      box.hidden = true; // no camera API here: the scanner gun and the keyboard still work
      return;
    }
    box.hidden = false;

    function say(text) { status.textContent = text; }

    function scan() {
      if (!stream || video.readyState < 2) { return; }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (!found || !found.data) { return; }
      if (seen[found.data]) { return; }
      seen[found.data] = true;
      input.value = found.data;
      say(box.dataset.readText + " " + found.data);
      form.requestSubmit();
    }

    function halt() {
      if (timer) { window.clearInterval(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
      video.hidden = true;
      start.hidden = false;
      stop.hidden = true;
      delete form.dataset.camera;
    }

    start.addEventListener("click", function () {
      say(box.dataset.startingText);
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          form.dataset.camera = "on"; // community.js then leaves the focus alone (no phone keyboard)
          video.hidden = false;
          start.hidden = true;
          stop.hidden = false;
          return video.play();
        })
        .then(function () {
          say(box.dataset.readyText);
          timer = window.setInterval(scan, 150);
        })
        .catch(function () {
          halt();
          say(box.dataset.deniedText);
        });
    });
    stop.addEventListener("click", function () { halt(); say(""); input.focus(); });
    window.addEventListener("pagehide", halt);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-camera-scanner]");
    if (box) { setup(box); }
  });
})();
