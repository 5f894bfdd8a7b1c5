// Slack's <!date^unix^tokens|fallback> rendered as Slack renders it for the person at the page: in
// their Slack profile's time zone (setTimeZone, from the workspace), whatever the browser's zone.
// One clock everywhere on the page: 24-hour times.

const LOCALE = "en-US";
const RELATIVE = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });

let zone = "UTC";
let formats = build(zone);

function build(timeZone) {
  const fmt = (options) => new Intl.DateTimeFormat(LOCALE, { timeZone, ...options });
  return {
    parts: fmt({ year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" }),
    monthLong: fmt({ month: "long" }),
    monthShort: fmt({ month: "short" }),
    weekday: fmt({ weekday: "long" }),
    time: fmt({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
    timeSecs: fmt({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
  };
}

// The zone dates show in (an IANA name such as "Europe/Berlin"); an unknown one falls back to UTC.
export function setTimeZone(timeZone) {
  try {
    formats = build(timeZone || "UTC");
    zone = timeZone || "UTC";
  } catch {
    formats = build("UTC");
    zone = "UTC";
  }
}

export function timeZone() {
  return zone;
}

// The calendar fields of a moment in the zone: { year, month (1-12), day, hour, minute, second }.
function fields(date) {
  const out = {};
  for (const { type, value } of formats.parts.formatToParts(date)) {
    if (type !== "literal") out[type] = Number(value);
  }
  return out;
}

// Milliseconds the zone is ahead of UTC at this moment.
function offset(ms) {
  const f = fields(new Date(ms));
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(ms / 1000) * 1000;
}

function ordinal(day) {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  return `${day}${{ 1: "st", 2: "nd", 3: "rd" }[day % 10] || "th"}`;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function dayOffset(date, now) {
  const a = fields(date);
  const b = fields(now);
  return Math.round((Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(b.year, b.month - 1, b.day)) / 86400000);
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

const dateLong = (d) => `${formats.monthLong.format(d)} ${ordinal(fields(d).day)}, ${fields(d).year}`;
const dateShort = (d) => `${formats.monthShort.format(d)} ${fields(d).day}, ${fields(d).year}`;
const dateFull = (d) => `${formats.weekday.format(d)}, ${dateLong(d)}`;

const TOKENS = {
  date_num: (d) => `${fields(d).year}-${pad(fields(d).month)}-${pad(fields(d).day)}`,
  date_slash: (d) => `${pad(fields(d).month)}/${pad(fields(d).day)}/${fields(d).year}`,
  date: dateLong,
  date_short: dateShort,
  date_long: dateFull,
  date_long_full: (d) => `${formats.monthLong.format(d)} ${fields(d).day}, ${fields(d).year}`,
  date_pretty: (d, now) => pretty(d, now, dateLong),
  date_short_pretty: (d, now) => pretty(d, now, dateShort),
  date_long_pretty: (d, now) => pretty(d, now, dateFull),
  day_divider_pretty: (d, now) =>
    pretty(d, now, (x) =>
      fields(x).year === fields(now).year
        ? `${formats.weekday.format(x)}, ${formats.monthLong.format(x)} ${ordinal(fields(x).day)}`
        : dateFull(x),
    ),
  time: (d) => formats.time.format(d),
  time_secs: (d) => formats.timeSecs.format(d),
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

// A moment as a full date and time ("Thursday, December 3rd, 2026 at 14:46:00").
export function longDateTime(date) {
  return `${dateFull(date)} at ${formats.timeSecs.format(date)}`;
}

// A message timestamp ("1764072000.000100") as the time shown beside the author's name.
export function messageTime(ts) {
  const date = new Date(Number(String(ts).split(".")[0]) * 1000);
  return { short: formats.time.format(date), long: longDateTime(date), date };
}

// The calendar day a moment falls on in the zone, as a key ("2026-12-03").
export function dayKey(date) {
  return TOKENS.date_num(date);
}

export function dayDivider(date, now = new Date()) {
  return TOKENS.day_divider_pretty(date, now);
}

export function isoString(unix) {
  const date = new Date(Number(unix) * 1000);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

// A unix time as a datetime-local input's value ("2026-12-03T14:46") in the zone.
export function localInputValue(unix) {
  const date = new Date(Number(unix) * 1000);
  if (!Number.isFinite(date.getTime())) return "";
  const f = fields(date);
  return `${f.year}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}`;
}

// A datetime-local input's value, read as a time in the zone, as unix seconds; null when empty or invalid.
export function unixFromLocalInput(value) {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(String(value || ""));
  if (!match) return null;
  const [, y, mo, d, hh, mm] = match.map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, hh, mm);
  let ms = asUtc - offset(asUtc);
  ms = asUtc - offset(ms);
  return Math.floor(ms / 1000);
}
