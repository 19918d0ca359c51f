// Package-level helpers for the search results panel.
import { debounce } from "./util.js";
import { render } from "./render.js";

const MAX_RESULTS = 50;
const cache = new Map();
let pending = null;

/**
 * Fetches results for a query from the server.
 * Results are cached per query string.
 */
export async function fetchResults(query, { limit = MAX_RESULTS } = {}) {
  if (cache.has(query)) {
    return cache.get(query);
  }
  const res = await fetch(`/api/search?q=${encodeURIComponent(query)}&n=${limit}`);
  const body = await res.json();
  cache.set(query, body.results);
  return body.results;
}

// highlight wraps every match of term in <mark>.
const highlight = (text, term) => {
  if (!term) return text;
  const re = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
  return text.replace(re, (m) => `<mark>${m}</mark>`);
};

const escapeHTML = function (s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
};

/** A panel that shows the results of the current query. */
export class ResultsPanel extends HTMLElement {
  static observedAttributes = ["query"];

  constructor() {
    super();
    this.results = [];
  }

  /** Called by the browser when an observed attribute changes. */
  attributeChangedCallback(name, oldValue, newValue) {
    if (name === "query" && oldValue !== newValue) {
      this.update(newValue);
    }
  }

  async update(query) {
    pending = query;
    const results = await fetchResults(query);
    if (pending !== query) return;
    this.results = results;
    render(this, results.map((r) => highlight(escapeHTML(r.title), query)));
  }

  onClick = (event) => {
    const item = event.target.closest("li");
    if (item) this.dispatchEvent(new CustomEvent("select", { detail: item.dataset.id }));
  };

  *[Symbol.iterator]() {
    yield* this.results;
  }
}

function* pages(results, size) {
  for (let i = 0; i < results.length; i += size) {
    yield results.slice(i, i + size);
  }
}

customElements.define("results-panel", ResultsPanel);
document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("#q");
  const panel = document.querySelector("results-panel");
  input.addEventListener("input", debounce(() => panel.setAttribute("query", input.value), 150));
  window.__pages = pages;
});

export default highlight;
