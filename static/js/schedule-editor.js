// The schedule's grid editor: drag a talk onto a free cell (or back onto the list of
// unscheduled talks); each move is saved at once through the JSON endpoints and checked
// by the server, then the page reloads to show the grid and its warnings. Without
// JavaScript the form under each talk does the same. Words come from data- attributes.
(() => {
  const root = document.getElementById("schedule-editor");
  if (!root) return;
  const status = document.getElementById("schedule-status");
  let dragged = null;

  function show(message, kind) {
    status.textContent = message;
    status.className = `alert alert-${kind}`;
  }

  async function send(url, method, body) {
    show(root.dataset.msgSaving, "info");
    try {
      const response = await fetch(url, {
        method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf, Accept: "application/json" },
        body: body ? JSON.stringify(body) : null,
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        show(answer.error || root.dataset.msgFailed, "danger");
        return;
      }
      show(root.dataset.msgSaved, "success");
      window.location.reload();
    } catch (error) {
      show(root.dataset.msgFailed, "danger");
    }
  }

  root.addEventListener("dragstart", (event) => {
    const card = event.target.closest(".schedule-card[data-proposal-id]");
    if (!card) return;
    dragged = card;
    card.classList.add("schedule-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.proposalId);
  });
  root.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("schedule-dragging");
    dragged = null;
  });

  function target(event) {
    return event.target.closest(".schedule-free, .schedule-unscheduled");
  }
  root.addEventListener("dragover", (event) => {
    const cell = target(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    cell.classList.add("schedule-drop");
  });
  root.addEventListener("dragleave", (event) => {
    const cell = target(event);
    if (cell) cell.classList.remove("schedule-drop");
  });
  root.addEventListener("drop", (event) => {
    const cell = target(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    cell.classList.remove("schedule-drop");
    if (cell.classList.contains("schedule-unscheduled")) {
      if (dragged.dataset.unscheduleUrl) send(dragged.dataset.unscheduleUrl, "POST", {});
      return;
    }
    send(root.dataset.placeUrl, "POST", {
      proposal_id: Number(dragged.dataset.proposalId),
      room_id: Number(cell.dataset.roomId),
      start: cell.dataset.start,
    });
  });
})();
