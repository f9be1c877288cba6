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
// A table wider (or longer) than its box scrolls inside its wrapper; make that wrapper reachable by keyboard
// (focus it, then the arrow keys scroll) — only when it really scrolls, so other pages gain no tab stops.
function focusableScrollers() {
  document.querySelectorAll(".table-wrap, .cal-wrap").forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) el.setAttribute("tabindex", "0");
    else if (el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);
document.body && document.body.addEventListener("htmx:responseError", (ev) => {
  const box = document.getElementById("htmx-error");
  if (box) { box.hidden = false; box.textContent = ev.detail.xhr.status + " " + (ev.detail.xhr.statusText || ""); }
});
