// Favourite talks of the public schedule, kept in this browser only (localStorage, no
// account): a star per talk and a button that shows only the favourites. The buttons are
// hidden without JavaScript. Words come from data- attributes of #schedule-public.
(() => {
  const root = document.getElementById("schedule-public");
  if (!root) return;
  const key = `schedule-favourites:${root.dataset.slug}`;
  // A talk's guid is the last part of its link (the page does not repeat it in an attribute).
  root.querySelectorAll(".schedule-entry > a[href]").forEach((link) => {
    link.parentElement.dataset.guid = decodeURIComponent(link.pathname.split("/").pop());
  });
  let favourites;
  try {
    favourites = new Set(JSON.parse(window.localStorage.getItem(key) || "[]"));
  } catch (error) {
    favourites = new Set();
  }

  function save() {
    try {
      window.localStorage.setItem(key, JSON.stringify(Array.from(favourites)));
    } catch (error) {
      // storage full or refused: the stars still work until the page is left
    }
  }

  function paint() {
    root.querySelectorAll(".schedule-fav").forEach((button) => {
      const on = favourites.has(button.dataset.guid);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.title = on ? root.dataset.msgRemove : root.dataset.msgAdd;
      button.querySelector(".visually-hidden").textContent = button.title;
      button.querySelector(".schedule-fav-star").textContent = on ? "★" : "☆";
    });
    root.querySelectorAll(".schedule-entry[data-guid]").forEach((entry) => {
      entry.classList.toggle("schedule-is-fav", favourites.has(entry.dataset.guid));
    });
  }

  root.addEventListener("click", (event) => {
    const star = event.target.closest(".schedule-fav");
    if (star) {
      if (favourites.has(star.dataset.guid)) favourites.delete(star.dataset.guid);
      else favourites.add(star.dataset.guid);
      save();
      paint();
      return;
    }
    const only = event.target.closest(".schedule-only-favs");
    if (only) {
      const on = only.getAttribute("aria-pressed") !== "true";
      only.setAttribute("aria-pressed", on ? "true" : "false");
      root.classList.toggle("schedule-only-favs-on", on);
    }
  });

  // The stars are made here (not in the page's HTML, which stays lean for large schedules).
  root.querySelectorAll(".schedule-entry[data-guid]").forEach((entry) => {
    const star = document.createElement("button");
    star.type = "button";
    star.className = "btn btn-link btn-sm p-0 ms-1 schedule-fav";
    star.dataset.guid = entry.dataset.guid;
    star.setAttribute("aria-pressed", "false");
    star.innerHTML = '<span aria-hidden="true" class="schedule-fav-star"></span><span class="visually-hidden"></span>';
    entry.firstElementChild.after(star);
  });
  root.querySelectorAll(".schedule-only-favs").forEach((button) => {
    button.hidden = false;
  });
  paint();
})();
