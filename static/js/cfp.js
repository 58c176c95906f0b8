// Call for papers: a live countdown to the deadline and a character counter on the abstract.
// Both are enhancements: the server already prints the deadline and enforces the limit.
// Their words come from the page, translated: data-text-* on the countdown ({n}, {first},
// {second} are filled in) and the data-counter attribute on the text area ({count}, {max}).
(() => {
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  const countdown = document.querySelector(".cfp-countdown[data-deadline]");
  if (countdown) {
    const deadline = new Date(countdown.dataset.deadline);
    const words = countdown.dataset;
    const rules = new Intl.PluralRules(document.documentElement.lang || "en");
    // dataset names: textDayOne / textDayOther, textHourOne..., textMinuteOne...
    const plural = (n, unit) => {
      const form = rules.select(n) === "one" ? "One" : "Other";
      return fill(words[`text${unit}${form}`] || `{n} ${unit.toLowerCase()}`, { n });
    };
    const tick = () => {
      const left = deadline - new Date();
      if (Number.isNaN(left)) return;
      if (left <= 0) {
        countdown.textContent = words.textPassed || "The deadline has passed.";
        return;
      }
      const minutes = Math.floor(left / 60000);
      const days = Math.floor(minutes / 1440);
      const hours = Math.floor((minutes % 1440) / 60);
      const [first, second] = days > 0
        ? [plural(days, "Day"), plural(hours, "Hour")]
        : [plural(hours, "Hour"), plural(minutes % 60, "Minute")];
      countdown.textContent = fill(words.textLeft || "{first}, {second} left.", { first, second });
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
      const words = area.dataset.counter === "true" ? "{count} / {max} characters" : area.dataset.counter;
      counter.textContent = fill(words, { count: area.value.length, max });
      counter.classList.toggle("text-danger", area.value.length >= max);
    };
    area.addEventListener("input", update);
    update();
  });
})();
