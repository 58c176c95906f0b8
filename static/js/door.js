// The door: a USB scanner (or a person) types the ticket code and Enter; the code is sent
// to the scan API as JSON with the page's CSRF token, and the answer is shown large, with
// words, an icon and a colour. The words come from the server's answer (translated there).
(() => {
  const form = document.getElementById("door-scan");
  const panel = document.getElementById("door-answer");
  if (!form || !panel) return;
  const input = form.querySelector("input[name=code]");
  const icons = {
    checked_in: "\u2714", already_checked_in: "\u21BB", invalid: "\u2716", not_valid_now: "\u26A0", checked_out: "\u2192",
  };
  const part = (name) => panel.querySelector(`.door-${name}`);
  const show = (answer) => {
    panel.className = `door-answer door-${answer.status || "invalid"} mb-4`;
    part("icon").textContent = icons[answer.status] || icons.invalid;
    part("message").textContent = answer.message || answer.error || "";
    part("name").textContent = answer.name || "";
    part("ticket").textContent = [answer.ticket_type, answer.organisation].filter(Boolean).join(" \u00B7 ");
    part("detail").textContent = answer.detail || "";
    panel.hidden = false;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault(); // before app.js's double-submit guard: Enter must keep working
    const code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) return;
    const nonce = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf, Accept: "application/json" },
        body: JSON.stringify({ code, nonce }),
      });
      const answer = await response.json();
      show(answer.status ? answer : { status: "invalid", message: answer.error || form.dataset.textFailed });
    } catch (error) {
      show({ status: "invalid", message: form.dataset.textFailed });
    }
  });
  const shown = panel.className.match(/door-(\w+) /);
  if (!panel.hidden && shown) part("icon").textContent = icons[shown[1]] || "";
})();
