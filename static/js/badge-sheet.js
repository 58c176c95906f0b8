// Progress of a print sheet made in the background (#badge-sheet, only when the page
// follows one): polls the status URL every second and fills the progress bar; when the
// sheet is ready, a link to its PDF. Words come from data- attributes.
(() => {
  const box = document.getElementById("badge-sheet");
  if (!box) return;
  const data = box.dataset;
  const text = box.querySelector(".js-sheet-text");
  const bar = box.querySelector(".js-sheet-progress");

  function show(message, kind) {
    box.className = `alert alert-${kind}`;
    text.textContent = message;
  }

  async function poll() {
    let status;
    try {
      const response = await fetch(data.statusUrl, { headers: { Accept: "application/json" } });
      status = await response.json();
      if (!response.ok) {
        show(data.msgFailed, "danger");
        return;
      }
    } catch (error) {
      window.setTimeout(poll, 2000); // a network hiccup: try again
      return;
    }
    if (status.state === "finished") {
      box.className = "alert alert-success";
      text.textContent = "";
      const link = document.createElement("a");
      link.href = status.url;
      link.textContent = data.msgReady;
      text.appendChild(link);
      bar.max = Math.max(status.total, 1);
      bar.value = status.total;
      return;
    }
    if (status.state === "failed") {
      show(data.msgFailed, "danger");
      return;
    }
    if (status.state === "queued" || !status.total) {
      show(data.msgQueued, "info");
    } else {
      show(data.msgRunning.replace("{done}", status.done).replace("{total}", status.total), "info");
      bar.max = status.total;
      bar.value = status.done;
    }
    window.setTimeout(poll, 1000);
  }

  poll();
})();
