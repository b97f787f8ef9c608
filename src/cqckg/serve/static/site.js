// cqc-kg pages: suggestions as a council's name is typed, and sorting the council table in place.
// Both only enhance: the forms and the sort links work without this script.
"use strict";

(function () {
  // Suggestions: fill the input's datalist from /api/councils as one types (names, never HTML).
  function suggest(input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    let timer = 0;
    let asked = "";
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2 || text === asked) return;
      timer = setTimeout(async () => {
        asked = text;
        try {
          const reply = await fetch("/api/councils?" + new URLSearchParams({ q: text, limit: "8" }));
          if (!reply.ok) return;
          const found = await reply.json();
          list.replaceChildren(...found.map((c) => {
            const option = document.createElement("option");
            option.value = c.short_name;
            option.label = c.name + " (" + c.gss + ")";
            return option;
          }));
        } catch (err) {
          // Offline or refused: the form still works without suggestions.
        }
      }, 150);
    });
  }
  document.querySelectorAll("input[data-suggest]").forEach(suggest);

  // Sorting: a heading's link sorts the rows here instead of asking the server again.
  function cellValue(row, index) {
    const cell = row.cells[index];
    const given = cell.dataset.value;
    return given !== undefined ? given : cell.textContent.trim();
  }
  function compare(a, b, numeric) {
    if (a === "" && b === "") return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    return numeric ? parseFloat(a) - parseFloat(b) : a.localeCompare(b);
  }
  const ratingOrder = ["inadequate", "requires-improvement", "good", "outstanding"];
  document.querySelectorAll("table.sortable").forEach((table) => {
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((th, index) => {
      const link = th.querySelector("a");
      if (!link) return;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const descending = th.getAttribute("aria-sort") === "ascending";
        const numeric = th.classList.contains("num");
        const rating = th.dataset.key === "rating";
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((r1, r2) => {
          let a = cellValue(r1, index);
          let b = cellValue(r2, index);
          if (rating) {
            a = a ? String(ratingOrder.indexOf(a)) : "";
            b = b ? String(ratingOrder.indexOf(b)) : "";
          }
          const order = compare(a, b, numeric || rating);
          if (a === "" || b === "") return order;
          return descending ? -order : order;
        });
        body.replaceChildren(...rows);
        heads.forEach((other) => other.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        const url = new URL(link.href);
        url.searchParams.set("order", descending ? "desc" : "asc");
        history.replaceState(null, "", url.pathname + url.search + "#councils");
        link.focus();
      });
    });
  });
  document.documentElement.dataset.ready = "true";
})();
