/**
 * Formatting of prices and text for display.
 */

/**
 * Formats an amount in cents as a price string for the user's locale:
 * 123456 -> "€1,234.56" in en-IE.
 */
export function formatPrice(cents: number, currency = "EUR", locale?: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(cents / 100);
}

/**
 * Shortens text to at most `max` characters, cutting at a word boundary
 * when one is near and adding an ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return (space > max * 0.6 ? cut.slice(0, space) : cut) + "…";
}

/** Converts "Blue Widget (Large)" to "blue-widget-large" for URLs. */
export function slugify(s: string): string {
  return s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Escapes text for insertion into HTML so item names cannot inject
 * markup.
 */
export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
