/* Read a card's QR code or Code 39 with the device camera, into a card-number field.
 *
 * <button type="button" class="camera-button" data-camera-for="INPUT-ID" hidden
 *         data-camera-title="..." data-camera-close="..." data-camera-denied="...">
 * The button is shown only where the browser offers a camera. A read number is written into the
 * input, which then gets an "input" event (so card-number.js checks it); with data-camera-submit the
 * input's form is submitted as if the scanner had pressed Enter. Decoding is done in the page by
 * ZXing (vendor/zxing-library.min.js, installed by `make assets`): Chromium on Linux has no
 * BarcodeDetector.
 */
(function () {
  "use strict";
  if (!window.ZXing || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  var reader = null;
  var dialog = null;

  function build(button) {
    var d = document.createElement("dialog");
    d.className = "camera-dialog";
    d.setAttribute("aria-labelledby", "camera-dialog-title");
    var title = document.createElement("h2");
    title.id = "camera-dialog-title";
    title.textContent = button.getAttribute("data-camera-title") || "";
    var video = document.createElement("video");
    video.setAttribute("muted", "");
    video.setAttribute("playsinline", "");
    video.muted = true;
    video.setAttribute("aria-hidden", "true");
    var status = document.createElement("p");
    status.className = "camera-status";
    status.setAttribute("role", "status");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = button.getAttribute("data-camera-close") || "×";
    close.addEventListener("click", function () { d.close(); });
    d.appendChild(title);
    d.appendChild(video);
    d.appendChild(status);
    d.appendChild(close);
    d.addEventListener("close", stop);
    document.body.appendChild(d);
    return d;
  }

  function stop() {
    if (reader) {
      reader.reset();
      reader = null;
    }
  }

  function open(button) {
    var input = document.getElementById(button.getAttribute("data-camera-for"));
    if (!input) return;
    if (dialog) dialog.remove();
    dialog = build(button);
    var video = dialog.querySelector("video");
    var status = dialog.querySelector(".camera-status");
    dialog.showModal();
    var hints = new Map();
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat.QR_CODE, ZXing.BarcodeFormat.CODE_39]);
    reader = new ZXing.BrowserMultiFormatReader(hints, 150);
    var constraints = { video: { facingMode: "environment" } };
    reader.decodeFromConstraints(constraints, video, function (result) {
      if (!result || !reader) return;
      var text = result.getText();
      dialog.close();
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
      if (button.hasAttribute("data-camera-submit") && input.form) {
        if (input.form.requestSubmit) input.form.requestSubmit();
        else input.form.submit();
      }
    }).catch(function () {
      status.textContent = button.getAttribute("data-camera-denied") || "";
    });
  }

  function wireAll(root) {
    var buttons = (root || document).querySelectorAll("button[data-camera-for]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (button.dataset.cameraWired) continue;
      button.dataset.cameraWired = "1";
      button.hidden = false;
      button.addEventListener("click", function (event) { open(event.currentTarget); });
    }
  }
  document.addEventListener("DOMContentLoaded", function () { wireAll(document); });
  document.addEventListener("htmx:load", function (event) { wireAll(event.target); });
})();
