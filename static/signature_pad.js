// A signature drawn with a finger, a pen or a mouse on a <canvas>: one piece of code for the
// customer's signing page and the round page on the engineer's phone.
//
// `signaturePad(canvas, onStroke)` gives {drawn(), clear(), png()}; `onStroke` is called as a
// stroke begins. A canvas with `data-signature="FIELD"` inside a form is set up on its own:
// when the form is sent, FIELD (a hidden input) carries the drawing as a PNG data URL, or
// nothing if none was drawn; a button with `data-clears` clears it.
window.signaturePad = function (canvas, onStroke) {
  const ctx = canvas.getContext("2d");
  let drawing = false, drawn = false;

  function fit() {  // draw in device pixels so the signature stays sharp on phones
    const ratio = window.devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    canvas.width = rect.width * ratio; canvas.height = rect.height * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    drawn = false;
  }
  function point(e) { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
  canvas.addEventListener("pointerdown", e => {
    if (onStroke) onStroke();
    drawing = true; canvas.setPointerCapture(e.pointerId);
    const [x, y] = point(e); ctx.beginPath(); ctx.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", e => {
    if (!drawing) return;
    const [x, y] = point(e); ctx.lineTo(x, y); ctx.stroke(); drawn = true;
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(t => canvas.addEventListener(t, () => { drawing = false; }));
  window.addEventListener("load", fit);
  fit();
  return {drawn: () => drawn, clear: fit, png: () => canvas.toDataURL("image/png")};
};

document.addEventListener("DOMContentLoaded", () => {
  for (const canvas of document.querySelectorAll("canvas[data-signature]")) {
    const pad = window.signaturePad(canvas);
    const form = canvas.closest("form");
    const field = form.elements.namedItem(canvas.dataset.signature);
    for (const button of form.querySelectorAll("button[data-clears]")) {
      button.addEventListener("click", pad.clear);
    }
    form.addEventListener("submit", () => { field.value = pad.drawn() ? pad.png() : ""; });
  }
});
