// Slack's mrkdwn as DOM: *bold*, _italic_, ~strike~, `code`, ```code blocks```, > quotes, links,
// mentions, <!here>-style broadcasts (inert), <!date^…> in the acting person's time zone, :emoji:.
// Only &amp; &lt; &gt; are entities; a literal < always starts a control sequence.

import { formatSlackDate, isoString } from "./dates.js";
import { h, link } from "./dom.js";
import { emojify } from "./emoji.js";

const ENTITIES = { amp: "&", lt: "<", gt: ">" };

export function decodeEntities(text) {
  return String(text).replace(/&(amp|lt|gt);/g, (_, name) => ENTITIES[name]);
}

const WORD = "\\p{L}\\p{N}";
const styled = (mark) => {
  const m = mark === "*" ? "\\*" : mark;
  return `(?<![${WORD}${m}])${m}(?!\\s)([^${m}\\n]+?)(?<!\\s)${m}(?![${WORD}${m}])`;
};
const INLINE = ["`([^`\\n]+)`", "<([^<>\\n]*)>", styled("*"), styled("_"), styled("~")].join("|");

const BROADCASTS = { here: "@here", channel: "@channel", everyone: "@everyone", group: "@channel" };

function textRun(text) {
  return document.createTextNode(emojify(decodeEntities(text)));
}

function dateToken(parts, label) {
  const [, unix, tokens = "", url] = parts;
  const fallback = decodeEntities(label);
  const shown = formatSlackDate(unix, tokens);
  const time = h(
    "time",
    { class: "date", datetime: isoString(unix) || null, title: fallback || null },
    shown ?? fallback,
  );
  return (url && link(decodeEntities(url), time)) || time;
}

function command(name, label) {
  if (name.startsWith("date^")) return dateToken(name.split("^"), label);
  if (Object.hasOwn(BROADCASTS, name)) return h("span", { class: "broadcast" }, BROADCASTS[name]);
  if (name.startsWith("subteam^")) {
    const shown = decodeEntities(label || "group");
    return h("span", { class: "mention" }, shown.startsWith("@") ? shown : `@${shown}`);
  }
  return textRun(label || "");
}

function control(body, ctx) {
  const bar = body.indexOf("|");
  const target = bar >= 0 ? body.slice(0, bar) : body;
  const label = bar >= 0 ? body.slice(bar + 1) : "";
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const name = ctx.userName?.(id) ?? (label ? decodeEntities(label) : id);
    return h("span", { class: "mention", dataset: { userId: id } }, `@${name}`);
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const name = ctx.channelName?.(id) ?? (label ? decodeEntities(label) : id);
    return h("span", { class: "mention" }, `#${name}`);
  }
  if (target.startsWith("!")) return command(target.slice(1), label);
  const url = decodeEntities(target);
  const shown = label ? decodeEntities(label) : url;
  return link(url, shown) || document.createTextNode(shown);
}

// The inline formatting of one line, as nodes.
export function inline(text, ctx = {}) {
  const nodes = [];
  let last = 0;
  for (const match of String(text).matchAll(new RegExp(INLINE, "gu"))) {
    if (match.index > last) nodes.push(textRun(text.slice(last, match.index)));
    const [whole, code, ctrl, bold, italic, strike] = match;
    if (code !== undefined) nodes.push(h("code", { class: "code" }, decodeEntities(code)));
    else if (ctrl !== undefined) nodes.push(control(ctrl, ctx));
    else if (bold !== undefined) nodes.push(h("strong", {}, inline(bold, ctx)));
    else if (italic !== undefined) nodes.push(h("em", {}, inline(italic, ctx)));
    else if (strike !== undefined) nodes.push(h("s", {}, inline(strike, ctx)));
    last = match.index + whole.length;
  }
  if (last < text.length) nodes.push(textRun(text.slice(last)));
  return nodes;
}

const QUOTE = /^(?:&gt;|>)\s?/;

function lines(segment, ctx) {
  const out = [];
  let quote = null;
  segment.split("\n").forEach((line, index, all) => {
    if (QUOTE.test(line)) {
      if (!quote) out.push((quote = h("blockquote", { class: "quote" })));
      else quote.append(h("br"));
      quote.append(...inline(line.replace(QUOTE, ""), ctx));
      return;
    }
    quote = null;
    out.push(...inline(line, ctx));
    if (index < all.length - 1 && !QUOTE.test(all[index + 1])) out.push(h("br"));
  });
  return out;
}

// A mrkdwn string as a block element.
export function renderMrkdwn(text, ctx = {}) {
  const root = h("div", { class: "mrkdwn" });
  const source = String(text ?? "");
  let last = 0;
  for (const match of source.matchAll(/```([\s\S]*?)```/g)) {
    const before = source.slice(last, match.index).replace(/\n$/, "");
    if (before) root.append(...lines(last ? before.replace(/^\n/, "") : before, ctx));
    root.append(h("pre", { class: "code-block" }, decodeEntities(match[1].replace(/^\n/, "").replace(/\n$/, ""))));
    last = match.index + match[0].length;
  }
  const rest = last ? source.slice(last).replace(/^\n/, "") : source;
  if (rest) root.append(...lines(rest, ctx));
  return root;
}

// A text object (plain_text or mrkdwn) as a block element.
export function renderText(object, ctx = {}) {
  if (!object || typeof object !== "object") return h("div", { class: "plain" });
  if (object.type === "mrkdwn") return renderMrkdwn(object.text, ctx);
  return h("div", { class: "plain" }, plainText(object));
}

// A plain_text object as a string (emoji shortcodes replaced unless emoji is false).
export function plainText(object) {
  const text = String(object?.text ?? "");
  return object?.emoji === false ? text : emojify(text);
}
