// Small progressive enhancements; every page works without them.
// Forms marked .js-confirm ask before they post (delete, withdraw, cancel...).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.js-confirm");
  if (form && !window.confirm(form.dataset.confirm || "Are you sure?")) {
    event.preventDefault();
  }
});
// Double-submit guard: a form's submit buttons are disabled once it is sent.
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  const form = event.target;
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
      button.disabled = true;
    });
  }, 0);
});
