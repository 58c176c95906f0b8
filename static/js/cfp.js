// Call for papers: a live countdown to the deadline and a character counter on the abstract.
// Both are enhancements: the server already prints the deadline and enforces the limit.
(() => {
  const countdown = document.querySelector(".cfp-countdown[data-deadline]");
  if (countdown) {
    const deadline = new Date(countdown.dataset.deadline);
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const tick = () => {
      const left = deadline - new Date();
      if (Number.isNaN(left)) return;
      if (left <= 0) {
        countdown.textContent = "The deadline has passed.";
        return;
      }
      const minutes = Math.floor(left / 60000);
      const days = Math.floor(minutes / 1440);
      const hours = Math.floor((minutes % 1440) / 60);
      countdown.textContent = days > 0
        ? `${plural(days, "day")}, ${plural(hours, "hour")} left.`
        : `${plural(hours, "hour")}, ${plural(minutes % 60, "minute")} left.`;
      window.setTimeout(tick, 30000);
    };
    tick();
  }

  document.querySelectorAll("textarea[data-counter][maxlength]").forEach((area) => {
    const max = Number(area.getAttribute("maxlength"));
    const counter = document.createElement("div");
    counter.className = "form-text text-end cfp-counter";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    const update = () => {
      counter.textContent = `${area.value.length} / ${max} characters`;
      counter.classList.toggle("text-danger", area.value.length >= max);
    };
    area.addEventListener("input", update);
    update();
  });
})();
