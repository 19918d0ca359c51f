/**
 * Date formatting for the catalogue UI.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Pads a number to two digits: 7 -> "07". */
function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Formats a date as "12 Mar 2024" or, with `withTime`, "12 Mar 2024,
 * 09:05". Uses the browser's local time zone.
 */
export function formatDate(d: Date, withTime = false): string {
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
  if (!withTime) return day;
  return `${day}, ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
 * Describes how long ago `then` was relative to `now`: "just now",
 * "5 minutes ago", "yesterday", "3 days ago"; older than a week falls
 * back to formatDate.
 */
export function timeAgo(then: Date, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? "a minute ago" : `${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? "an hour ago" : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return formatDate(then);
}

/**
 * Parses an ISO 8601 date or date-time string. A bare date ("2024-03-12")
 * is taken as local midnight, not UTC midnight as Date.parse would, so it
 * does not show up as the previous day west of Greenwich.
 */
export function parseISODate(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (m) {
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}
