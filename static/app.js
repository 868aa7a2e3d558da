// The staff app's own enhancements. A quote's total as its lines are typed: the server
// computes the total it keeps; this only shows it before saving.
document.addEventListener("input", (event) => {
  const rows = event.target.closest("fieldset.quote");
  if (!rows) return;
  let total = 0;
  for (const input of rows.querySelectorAll("input[name$='.amount']")) {
    const value = Number.parseFloat(input.value);
    if (Number.isFinite(value)) total += value;
  }
  rows.querySelector("output.total").value = total.toFixed(2);
});

// A chosen image goes in the form as text (a data URL in the hidden field the file input's
// `data-base64` names), as the API takes it.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!input.matches("input[type=file][data-base64]")) return;
  const field = input.form.elements.namedItem(input.dataset.base64);
  field.value = "";
  const file = input.files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.addEventListener("load", () => { field.value = reader.result; });
  reader.readAsDataURL(file);
});

// A form marked `data-once` is sent once: a second tap while the first is on its way does
// nothing (signing a round signs many requests; a repeat would only be refused).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
});
