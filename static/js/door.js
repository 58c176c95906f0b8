// The door: a USB scanner (or a person) types the ticket code and Enter, or the camera reads
// the badge's QR code; either way the code is sent to the scan API as JSON with the page's
// CSRF token, and the answer is shown large, with words, an icon and a colour (the words
// come from the server's answer, translated there) in an aria-live region.
(() => {
  const form = document.getElementById("door-scan");
  const panel = document.getElementById("door-answer");
  if (!form || !panel) return;
  const input = form.querySelector("input[name=code]");
  const icons = {
    checked_in: "\u2714", already_checked_in: "\u21BB", invalid: "\u2716", not_valid_now: "\u26A0", checked_out: "\u2192", badge_printed: "\u2399",
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
  const send = async (code, device) => {
    const nonce = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf, Accept: "application/json" },
        body: JSON.stringify({ code, nonce, device }),
      });
      const answer = await response.json();
      show(answer.status ? answer : { status: "invalid", message: answer.error || form.dataset.textFailed });
    } catch (error) {
      show({ status: "invalid", message: form.dataset.textFailed });
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault(); // before app.js's double-submit guard: Enter must keep working
    const code = input.value.trim();
    input.value = "";
    input.focus();
    if (code) send(code, "keyboard");
  });
  const shown = panel.className.match(/door-(\w+) /);
  if (!panel.hidden && shown) part("icon").textContent = icons[shown[1]] || "";

  // -- the camera (only where the browser can film) -----------------------------------------
  const camera = document.getElementById("door-camera");
  const toggle = document.getElementById("door-camera-toggle");
  const video = document.getElementById("door-video");
  const note = document.getElementById("door-camera-note");
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  camera.hidden = false;
  let controls = null;
  let last = { code: "", at: 0 };
  const REPEAT_MS = 3000; // the same badge held in view is one scan, not thirty

  const loadLibrary = () => new Promise((resolve, reject) => {
    if (window.ZXingBrowser) return resolve(window.ZXingBrowser);
    const script = document.createElement("script");
    script.src = camera.dataset.library; // vendored, same origin: allowed by script-src 'self'
    script.onload = () => resolve(window.ZXingBrowser);
    script.onerror = reject;
    document.head.appendChild(script);
  });
  const stop = () => {
    if (controls) controls.stop();
    controls = null;
    video.hidden = true;
    toggle.textContent = camera.dataset.textStart;
    toggle.setAttribute("aria-pressed", "false");
    input.focus();
  };
  const start = async () => {
    note.textContent = "";
    try {
      const ZXingBrowser = await loadLibrary();
      const reader = new ZXingBrowser.BrowserQRCodeReader(undefined, { delayBetweenScanAttempts: 150 });
      video.hidden = false;
      toggle.textContent = camera.dataset.textStop;
      toggle.setAttribute("aria-pressed", "true");
      controls = await reader.decodeFromConstraints(
        { video: { facingMode: "environment" } }, video, (result) => {
          if (!result) return;
          const code = result.getText().trim();
          const now = Date.now();
          if (!code || (code === last.code && now - last.at < REPEAT_MS)) return;
          last = { code, at: now };
          send(code, "camera");
        });
    } catch (error) {
      stop();
      note.textContent = camera.dataset.textDenied;
    }
  };
  toggle.addEventListener("click", () => (controls ? stop() : start()));
  document.addEventListener("visibilitychange", () => { if (document.hidden && controls) stop(); });
})();
