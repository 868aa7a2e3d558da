// The staff app's one enhancement of its own: a quote's total as its lines are typed. The
// server computes the total it keeps; this only shows it before saving.
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
