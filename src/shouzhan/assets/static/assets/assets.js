// Copy buttons (a version's full SHA-256): the text to copy is in data-copy; the button says so when done.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button || !navigator.clipboard) return;
  const label = button.textContent;
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    button.textContent = button.dataset.done || label;
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
