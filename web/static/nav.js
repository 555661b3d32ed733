// The main navigation's menus: one open at a time, closed by a click
// elsewhere or by Escape.
(() => {
  const menus = () => document.querySelectorAll("nav li.menu details");
  document.addEventListener("click", (ev) => {
    for (const d of menus()) {
      if (d.open && !d.contains(ev.target)) d.open = false;
    }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    for (const d of menus()) {
      if (d.open) { d.open = false; d.querySelector("summary").focus(); }
    }
  });
})();
