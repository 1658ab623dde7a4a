// Signing the written agreement on the phone's screen (人民调解法 art. 29): each
// <form data-signature-form> holds a <canvas class="signature-pad">; pointer events draw
// (finger, pen or mouse), "重写" clears, and the drawing goes to the server as a PNG data
// URL in the hidden "image" field. The server checks the image again (size, format, ink).
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("canvas.signature-pad");
    var field = form.querySelector('input[name="image"]');
    var error = form.querySelector("[data-signature-error]");
    var clear = form.querySelector("[data-signature-clear]");
    if (!canvas || !field) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var strokes = 0;
    var last = null;

    function size() {
      // Device pixels, at most 2x, so the line is sharp and the PNG stays small.
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(rect.width * ratio));
      canvas.height = Math.max(1, Math.round(rect.height * ratio));
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#102a43";
      strokes = 0;
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
      strokes += 1;
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        strokes = 0;
        field.value = "";
      });
    }

    form.addEventListener("submit", function (event) {
      if (strokes < 3) {
        event.preventDefault();
        if (error) error.hidden = false;
        return;
      }
      if (error) error.hidden = true;
      field.value = canvas.toDataURL("image/png");
    });

    size();
  }

  function start() {
    var forms = document.querySelectorAll("form[data-signature-form]");
    for (var i = 0; i < forms.length; i += 1) setUp(forms[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
