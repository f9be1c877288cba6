// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit filter forms marked data-autosubmit when a select changes (htmx does the request).
  document.querySelectorAll("form[data-autosubmit] select").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
  // Confirm dangerous actions.
  document.body.addEventListener("submit", (ev) => {
    const msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
});
document.body && document.body.addEventListener("htmx:responseError", (ev) => {
  const box = document.getElementById("htmx-error");
  if (box) { box.hidden = false; box.textContent = ev.detail.xhr.status + " " + (ev.detail.xhr.statusText || ""); }
});
