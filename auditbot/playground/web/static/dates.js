// Slack's <!date^unix^tokens|fallback> rendered in the browser's time zone, as each viewer's client does.

const LOCALE = "en-US";
const HOUR12 =
  new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hourCycle?.startsWith("h1") ?? true;

const fmt = (options) => new Intl.DateTimeFormat(LOCALE, options);
const MONTH_LONG = fmt({ month: "long" });
const MONTH_SHORT = fmt({ month: "short" });
const WEEKDAY = fmt({ weekday: "long" });
const TIME = fmt({ hour: "numeric", minute: "2-digit", hour12: HOUR12 });
const TIME_SECS = fmt({ hour: "numeric", minute: "2-digit", second: "2-digit", hour12: HOUR12 });
const RELATIVE = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });

function ordinal(day) {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  return `${day}${{ 1: "st", 2: "nd", 3: "rd" }[day % 10] || "th"}`;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function dayOffset(date, now) {
  const a = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const b = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((a - b) / 86400000);
}

function pretty(date, now, otherwise) {
  const names = { 0: "Today", "-1": "Yesterday", 1: "Tomorrow" };
  return names[dayOffset(date, now)] ?? otherwise(date);
}

function ago(date, now) {
  const seconds = Math.round((date - now) / 1000);
  const steps = [
    ["year", 31536000],
    ["month", 2592000],
    ["week", 604800],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.trunc(seconds / size), unit);
  }
  return Math.abs(seconds) < 45 ? "just now" : RELATIVE.format(seconds, "second");
}

const dateLong = (d) => `${MONTH_LONG.format(d)} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
const dateShort = (d) => `${MONTH_SHORT.format(d)} ${d.getDate()}, ${d.getFullYear()}`;
const dateFull = (d) => `${WEEKDAY.format(d)}, ${dateLong(d)}`;

const TOKENS = {
  date_num: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  date_slash: (d) => `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${d.getFullYear()}`,
  date: dateLong,
  date_short: dateShort,
  date_long: dateFull,
  date_long_full: (d) => `${MONTH_LONG.format(d)} ${d.getDate()}, ${d.getFullYear()}`,
  date_pretty: (d, now) => pretty(d, now, dateLong),
  date_short_pretty: (d, now) => pretty(d, now, dateShort),
  date_long_pretty: (d, now) => pretty(d, now, dateFull),
  day_divider_pretty: (d, now) =>
    pretty(d, now, (x) =>
      x.getFullYear() === now.getFullYear()
        ? `${WEEKDAY.format(x)}, ${MONTH_LONG.format(x)} ${ordinal(x.getDate())}`
        : dateFull(x),
    ),
  time: (d) => TIME.format(d),
  time_secs: (d) => TIME_SECS.format(d),
  ago: (d, now) => ago(d, now),
};

// The token string with each {token} replaced; null when the time or a token is not understood (show the fallback).
export function formatSlackDate(unix, tokens, now = new Date()) {
  if (!/^-?\d+$/.test(String(unix))) return null;
  const date = new Date(Number(unix) * 1000);
  if (Number.isNaN(date.getTime())) return null;
  let understood = true;
  const text = String(tokens).replace(/\{([a-z_]+)\}/g, (_, name) => {
    const render = TOKENS[name];
    if (!render) {
      understood = false;
      return "";
    }
    return render(date, now);
  });
  return understood ? text : null;
}

// A message timestamp ("1764072000.000100") as the time shown beside the author's name.
export function messageTime(ts) {
  const date = new Date(Number(String(ts).split(".")[0]) * 1000);
  return { short: TIME.format(date), long: `${dateFull(date)} at ${TIME_SECS.format(date)}`, date };
}

export function dayDivider(date, now = new Date()) {
  return TOKENS.day_divider_pretty(date, now);
}

export function isoString(unix) {
  const date = new Date(Number(unix) * 1000);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}
