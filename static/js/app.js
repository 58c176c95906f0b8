// Small progressive enhancements; every page works without them.
// Forms marked .js-confirm ask before they post (delete, withdraw, cancel...); the question
// is the clicked button's data-confirm when it has one (one form shared by a table's rows),
// else the form's, else the page's generic question (base.html's <body data-text-confirm>).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.js-confirm");
  const question = (event.submitter && event.submitter.dataset.confirm) || (form && form.dataset.confirm);
  if (form && !window.confirm(question || document.body.dataset.textConfirm || "Are you sure?")) {
    event.preventDefault();
  }
});
// Double-submit guard: a form's submit buttons are disabled once it is sent.
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  const form = event.target;
  window.setTimeout(() => {
    Array.from(form.elements).filter((el) => el.type === "submit").forEach((button) => {
      button.disabled = true;
    });
  }, 0);
});
