// Starts GOV.UK Frontend's components (loaded as a module, so browsers without module support get
// the plain HTML, which works on its own).
import { initAll } from "./govuk-frontend.min.js";

// A form sent twice (a double click, an impatient second click) saves its record twice: a second
// referral of the same family, a spend entered twice. GOV.UK Frontend's buttons ignore a second
// click within a second when asked to, as the Design System advises for forms that create
// records; ask on every form that sends changes.
for (const button of document.querySelectorAll(
  'form[method="post" i] .govuk-button[data-module="govuk-button"]',
)) {
  if (!button.hasAttribute("data-prevent-double-click")) {
    button.setAttribute("data-prevent-double-click", "true");
  }
}

initAll();

// A table wider than the screen (a phone, or a zoomed page) scrolls inside its own box instead of
// making the whole page scroll sideways. The box can be reached with the keyboard and is named by
// the table's caption, so screen reader and keyboard users can scroll it too. Tables already in
// such a box are left alone; without JavaScript the page itself scrolls, as before.
function nameOf(table) {
  const caption = table.querySelector("caption");
  if (caption && caption.textContent.trim()) return caption.textContent.trim();
  // no caption: the heading the table sits under
  let node = table;
  while (node && node !== document.body) {
    let before = node.previousElementSibling;
    while (before) {
      // said to be the table, so the box is not named like the section holding it
      if (/^H[1-6]$/.test(before.tagName)) return `${before.textContent.trim()}: table`;
      before = before.previousElementSibling;
    }
    node = node.parentElement;
  }
  return "Table";
}

function scrollWideTables() {
  const used = new Map();
  for (const table of document.querySelectorAll("main table")) {
    if (table.closest(".app-table-scroll")) continue;
    if (table.scrollWidth <= table.parentElement.clientWidth + 1) continue;
    const box = document.createElement("div");
    box.className = "app-table-scroll";
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    // each box a region with a name of its own (the same name twice gets a number)
    const name = nameOf(table);
    const seen = (used.get(name) || 0) + 1;
    used.set(name, seen);
    box.setAttribute("aria-label", seen > 1 ? `${name} (${seen})` : name);
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  }
}
scrollWideTables();
