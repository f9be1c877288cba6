// The door page: after each scan clear the field and keep the focus there for the next code.
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target.closest && event.target.closest("form[data-reset-after]");
  if (!form) { return; }
  form.reset();
  var input = form.querySelector("input[name=code]");
  if (input && !form.dataset.camera) { input.focus(); }
});
