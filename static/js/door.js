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
  // Frames are read with zxing-wasm (ZXing-C++ compiled to WebAssembly, vendored): the pure
  // JavaScript port we used first (@zxing/browser 0.2.1) failed on about one clean badge
  // code in ten (zxing-js/library#653), and ZXing-C++ is the decoder the tests read the
  // printed badges with.
  const camera = document.getElementById("door-camera");
  const toggle = document.getElementById("door-camera-toggle");
  const video = document.getElementById("door-video");
  const note = document.getElementById("door-camera-note");
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  camera.hidden = false;
  const READ_EVERY_MS = 150; // about seven looks a second: quick enough, and a phone stays cool
  const LARGEST_SIDE = 960; // frames are scaled down to this before reading: a badge fills much of it
  const REPEAT_MS = 3000; // the same badge seen again within this is still the same scan
  const READER_OPTIONS = { formats: ["QRCode"], maxNumberOfSymbols: 1 };
  const canvas = document.createElement("canvas");
  const drawing = canvas.getContext("2d", { willReadFrequently: true });
  let stream = null; // the camera's stream while filming
  let timer = null;
  let session = 0; // a start overtaken by a stop (or a second start) gives up its camera
  let last = { code: "", at: 0 };

  // The reader and its WebAssembly, loaded and compiled before the camera opens (so the
  // first frame is read at once, and a reader that cannot load says so).
  let loading = null; // one load, however often the button is pressed; tried again after a failure
  const loadReader = () => loading || (loading = (async () => {
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = camera.dataset.library; // vendored, same origin: allowed by script-src 'self'
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    await window.ZXingWASM.prepareZXingModule({
      // the .wasm beside the script, not the library's default CDN (connect-src 'self')
      overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? camera.dataset.wasm : prefix + path) },
      fireImmediately: true,
    });
    return window.ZXingWASM;
  })().catch((error) => { loading = null; throw error; }));
  const seen = (code) => {
    const now = Date.now();
    if (!code) return;
    const held = code === last.code && now - last.at < REPEAT_MS;
    last = { code, at: now }; // a badge kept in view stays one scan; shown again later, it is a new one
    if (!held) send(code, "camera");
  };
  const readFrames = async (library, mine) => {
    if (mine !== session) return;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      const scale = Math.min(1, LARGEST_SIDE / Math.max(video.videoWidth, video.videoHeight));
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      if (canvas.width !== width || canvas.height !== height) { // setting a size reallocates: only when it changes
        canvas.width = width;
        canvas.height = height;
      }
      drawing.drawImage(video, 0, 0, canvas.width, canvas.height);
      try {
        const [found] = await library.readBarcodes(drawing.getImageData(0, 0, canvas.width, canvas.height), READER_OPTIONS);
        if (found && found.isValid && mine === session) seen(found.text.trim());
      } catch (error) { /* an unreadable frame: the next one is a new chance */ }
    }
    if (mine === session) timer = setTimeout(() => readFrames(library, mine), READ_EVERY_MS);
  };
  const release = () => { // the camera off; a start still waiting for it gives it up
    session += 1;
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
  };
  const stop = (message = "") => {
    release();
    video.hidden = true;
    toggle.textContent = camera.dataset.textStart;
    toggle.setAttribute("aria-pressed", "false");
    note.textContent = message;
    input.focus();
  };
  const start = async () => {
    release();
    const mine = session;
    note.textContent = "";
    toggle.textContent = camera.dataset.textStop;
    toggle.setAttribute("aria-pressed", "true");
    let library;
    try {
      library = await loadReader();
    } catch (error) {
      if (mine === session) stop(camera.dataset.textUnavailable);
      return;
    }
    if (mine !== session) return; // stopped while the reader loaded
    try {
      const opened = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      if (mine !== session) { opened.getTracks().forEach((track) => track.stop()); return; }
      stream = opened;
      video.srcObject = opened;
      video.hidden = false;
      await video.play();
      readFrames(library, mine);
    } catch (error) {
      if (mine === session) stop(camera.dataset.textDenied);
    }
  };
  const filming = () => toggle.getAttribute("aria-pressed") === "true";
  toggle.addEventListener("click", () => (filming() ? stop() : start()));
  document.addEventListener("visibilitychange", () => { if (document.hidden && filming()) stop(); });
})();
