// Progress of a background scheduler run (#schedule-run, only when the page follows one):
// polls the status URL every second and shows the solutions found and the objective; when
// the run ends, its report and a link to the new grid. Words come from data- attributes.
(() => {
  const box = document.getElementById("schedule-run");
  if (!box) return;
  const data = box.dataset;

  function show(text, kind) {
    box.className = `alert alert-${kind}`;
    box.textContent = text;
  }

  function finished(status) {
    show(status.summary || "", "success");
    (status.reasons || []).forEach((reason) => {
      const line = document.createElement("div");
      line.className = "small";
      line.textContent = reason;
      box.appendChild(line);
    });
    const link = document.createElement("a");
    link.href = data.editorUrl;
    link.className = "d-block mt-2";
    link.textContent = data.msgReload;
    box.appendChild(link);
  }

  async function poll() {
    let status;
    try {
      const response = await fetch(data.statusUrl, { headers: { Accept: "application/json" } });
      status = await response.json();
      if (!response.ok) {
        show(status.error || data.msgFailed, "danger");
        return;
      }
    } catch (error) {
      window.setTimeout(poll, 2000); // a network hiccup: try again
      return;
    }
    if (status.state === "finished") {
      finished(status);
      return;
    }
    if (status.state === "failed") {
      show(data.msgFailed, "danger");
      return;
    }
    if (status.state === "queued") {
      show(data.msgQueued, "info");
    } else {
      const objective = status.objective === null ? "–" : String(Math.round(status.objective));
      show(data.msgRunning.replace("{solutions}", status.solutions).replace("{objective}", objective)
        .replace("{seconds}", status.seconds), "info");
    }
    window.setTimeout(poll, 1000);
  }

  poll();
})();
