// Admin tables turn into stacked cards on a phone (style.css): each cell is labelled with its column's
// heading (data-label), so the CSS can show "Scopes: market:read" where a table header no longer fits.

import { $$ } from "./dom.js";

/** Label every body cell of `table` with its column's heading (not an action column's hidden one). */
export function labelCells(table) {
  const headings = $$("thead th", table).map((th) => (th.querySelector(".visually-hidden") ? "" : th.textContent.trim()));
  for (const row of $$("tbody tr", table)) {
    $$("td", row).forEach((td, i) => {
      if (headings[i] && !td.classList.contains("empty")) td.dataset.label = headings[i];
    });
  }
}
