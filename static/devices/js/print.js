// The label page's print button: shown only when scripts run (otherwise the browser's
// own print command does the same).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
