// cqc-kg query page: runs SPARQL and named questions, draws results as text nodes (never HTML).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const questions = JSON.parse($("questions-data").textContent);
  const base = JSON.parse($("settings-data").textContent).base;
  const byName = new Map(questions.map((q) => [q.name, q]));
  const SELECT_FORMATS = [["csv", "CSV"], ["tsv", "TSV"], ["json", "JSON"], ["xml", "XML"]];
  const GRAPH_FORMATS = [["turtle", "Turtle"], ["ntriples", "N-Triples"], ["jsonld", "JSON-LD"], ["rdfxml", "RDF/XML"]];

  // A local link for the graph's own IRIs, the IRI itself for other http(s) IRIs, else null.
  function hrefFor(iri) {
    if (iri.startsWith(base)) return "/" + iri.slice(base.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (term === undefined || term === null) return td;
    if (term.type === "uri") {
      const href = hrefFor(term.value);
      const node = document.createElement(href ? "a" : "span");
      if (href) node.href = href;
      node.textContent = term.value;
      td.appendChild(node);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype || "";
      if (note) td.title = note;
    }
    return td;
  }

  function table(columns, rows) {
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const c of columns) tr.appendChild(cell(row[c]));
    }
    return t;
  }

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = false;
    $("status").textContent = "The request failed.";
    $("results").replaceChildren();
    $("downloads").hidden = true;
  }

  function clear(status) {
    $("error").hidden = true;
    $("error").textContent = "";
    $("status").textContent = status;
  }

  function downloads(items) {
    const p = $("downloads");
    p.replaceChildren(document.createTextNode("Download: "));
    for (const [label, href, name] of items) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      a.setAttribute("download", name);
      p.appendChild(a);
    }
    p.hidden = false;
  }

  // N-Triples terms: <iri>, _:label, or "literal" with an optional @lang or ^^<datatype>.
  const NT_TERM = /(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)/g;
  function ntTerm(text) {
    if (text.startsWith("<")) return { type: "uri", value: text.slice(1, -1) };
    if (text.startsWith("_:")) return { type: "bnode", value: text.slice(2) };
    const end = text.lastIndexOf('"');
    const value = JSON.parse(text.slice(0, end + 1).replace(/\\U([0-9A-Fa-f]{8})/g,
      (_, h) => String.fromCodePoint(parseInt(h, 16)).split("").map((c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")).join("")));
    const rest = text.slice(end + 1);
    const term = { type: "literal", value: value };
    if (rest.startsWith("@")) term["xml:lang"] = rest.slice(1);
    if (rest.startsWith("^^")) term.datatype = rest.slice(3, -1);
    return term;
  }

  function parseNTriples(text) {
    const rows = [];
    for (const line of text.split("\n")) {
      const terms = line.match(NT_TERM);
      if (terms && terms.length >= 3) {
        rows.push({ subject: ntTerm(terms[0]), predicate: ntTerm(terms[1]), object: ntTerm(terms[2]) });
      }
    }
    return rows;
  }

  // The response and its text, or null after showing why the request failed (the body of a
  // 4xx/5xx answer is the server's explanation, shown as text).
  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      showError("Could not reach the server: " + err);
      return null;
    }
    const text = await response.text();
    if (!response.ok) {
      showError(text.trim() || response.status + " " + response.statusText);
      return null;
    }
    return { response: response, text: text };
  }

  async function runSparql(query) {
    clear("Running…");
    const started = performance.now();
    const answer = await request("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
      },
      body: new URLSearchParams({ query: query }),
    });
    if (!answer) return;
    const { response, text } = answer;
    const ms = Math.round(performance.now() - started);
    const type = (response.headers.get("Content-Type") || "").split(";")[0];
    const truncated = response.headers.get("X-Result-Truncated") ? " (cut at the server's limit)" : "";
    const encoded = encodeURIComponent(query);
    if (type === "application/n-triples") {
      const rows = parseNTriples(text);
      $("results").replaceChildren(table(["subject", "predicate", "object"], rows));
      $("status").textContent = rows.length + " triples in " + ms + " ms" + truncated + ".";
      downloads(GRAPH_FORMATS.map(([f, label]) => [label, "/sparql?query=" + encoded + "&format=" + f, "result." + f]));
      return;
    }
    const data = JSON.parse(text);
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = data.boolean ? "Yes (true)" : "No (false)";
      $("results").replaceChildren(p);
      $("status").textContent = "ASK answered in " + ms + " ms.";
      $("downloads").hidden = true;
      return;
    }
    const rows = data.results.bindings;
    $("results").replaceChildren(table(data.head.vars, rows));
    $("status").textContent = rows.length + " rows in " + ms + " ms" + truncated + ".";
    downloads(SELECT_FORMATS.map(([f, label]) => [label, "/sparql?query=" + encoded + "&format=" + f, "result." + f]));
  }

  function asTerm(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === "string" && /^https?:\/\/\S+$/.test(value)) return { type: "uri", value: value };
    return { type: "literal", value: String(value) };
  }

  async function ask(name, params) {
    clear("Asking " + name + "…");
    const search = new URLSearchParams(params);
    search.set("format", "json");
    const url = "/api/questions/" + encodeURIComponent(name) + "?" + search;
    const started = performance.now();
    const answer = await request(url, { headers: { Accept: "application/json" } });
    if (!answer) return;
    const data = JSON.parse(answer.text);
    const rows = data.rows.map((r) => Object.fromEntries(data.columns.map((c) => [c, asTerm(r[c])])));
    $("results").replaceChildren(table(data.columns, rows));
    const ms = Math.round(performance.now() - started);
    $("status").textContent = name + ": " + rows.length + " rows in " + ms + " ms.";
    search.set("format", "csv");
    const csv = "/api/questions/" + encodeURIComponent(name) + "?" + search;
    downloads([["CSV", csv, name + ".csv"], ["JSON", url, name + ".json"]]);
  }

  function showParameters() {
    const q = byName.get($("question-name").value);
    if (!q) return;
    $("question-description").textContent = q.description;
    for (const node of document.querySelectorAll("#question-params [data-parameter]")) {
      const p = q.parameters.find((x) => x.name === node.dataset.parameter);
      node.hidden = !p;
      if (node.tagName === "INPUT") {
        node.disabled = !p;
        node.required = Boolean(p && p.required);
      }
    }
  }

  $("question-name").addEventListener("change", showParameters);
  $("question-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("question-name").value;
    const params = {};
    for (const input of document.querySelectorAll("#question-params input")) {
      if (!input.disabled && input.value.trim()) params[input.name] = input.value.trim();
    }
    ask(name, params);
  });
  $("question-edit").addEventListener("click", () => {
    const q = byName.get($("question-name").value);
    if (q) $("query").value = q.sparql;
  });
  $("examples").addEventListener("click", (event) => {
    const button = event.target.closest("button.example");
    if (!button) return;
    const q = byName.get(button.dataset.question);
    if (!q) return;
    $("query").value = q.sparql;
    runSparql(q.sparql);
  });
  $("query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runSparql($("query").value);
  });
  $("query").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runSparql($("query").value);
    }
  });
  showParameters();
  document.documentElement.dataset.ready = "true";
})();
