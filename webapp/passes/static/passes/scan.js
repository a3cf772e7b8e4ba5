// The gate page's camera: where the browser has a QR detector (BarcodeDetector), the 扫码 button
// reads the pass's QR code into the code field and submits it. Elsewhere the guard types the code.
(function () {
  "use strict";
  var button = document.getElementById("admit-scan");
  var video = document.getElementById("admit-video");
  var field = document.getElementById("admit-code");
  if (!button || !video || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.classList.remove("d-none");
      video.play();
      var stop = function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.classList.add("d-none");
      };
      var look = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            field.value = codes[0].rawValue;
            field.form.submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      };
      look();
    }).catch(function () { field.focus(); });
  });
})();
