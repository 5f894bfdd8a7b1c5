// The rich_text block (sections, lists, code, quotes; styled text, links, mentions, emoji, dates)
// and the markdown block (standard Markdown, a basic subset), as DOM.

import { formatSlackDate, isoString } from "./dates.js";
import { h, link } from "./dom.js";
import { emojiFor } from "./emoji.js";

const BROADCASTS = { here: "@here", channel: "@channel", everyone: "@everyone" };

function styled(node, style) {
  let out = node;
  if (style?.code) out = h("code", { class: "code" }, out);
  if (style?.strike) out = h("s", {}, out);
  if (style?.italic) out = h("em", {}, out);
  if (style?.bold) out = h("strong", {}, out);
  return out;
}

function richInline(item, ctx) {
  switch (item?.type) {
    case "text":
      return styled(document.createTextNode(String(item.text ?? "")), item.style);
    case "link":
      return styled(
        link(item.url, String(item.text || item.url || "")) ||
          document.createTextNode(String(item.text || item.url || "")),
        item.style,
      );
    case "emoji":
      return document.createTextNode(
        item.unicode
          ? String.fromCodePoint(
              ...String(item.unicode)
                .split("-")
                .map((x) => parseInt(x, 16)),
            )
          : (emojiFor(item.name) ?? `:${item.name}:`),
      );
    case "user":
      return h("span", { class: "mention" }, `@${ctx.userName?.(item.user_id) ?? item.user_id}`);
    case "channel":
      return h("span", { class: "mention" }, `#${ctx.channelName?.(item.channel_id) ?? item.channel_id}`);
    case "usergroup":
      return h("span", { class: "mention" }, "@group");
    case "broadcast":
      return h("span", { class: "broadcast" }, BROADCASTS[item.range] || "@here");
    case "date": {
      const shown = formatSlackDate(item.timestamp, item.format || "{date_short_pretty} {time}");
      return h(
        "time",
        { class: "date", datetime: isoString(item.timestamp) || null },
        shown ?? String(item.fallback ?? ""),
      );
    }
    case "color":
      return h("span", { class: "code" }, String(item.value ?? ""));
    default:
      return h("span", { class: "unsupported-inline" }, `[${item?.type ?? "?"}]`);
  }
}

function inlines(elements, ctx) {
  return (Array.isArray(elements) ? elements : []).map((item) => richInline(item, ctx));
}

function richPart(part, ctx) {
  switch (part?.type) {
    case "rich_text_section":
      return h("div", { class: "rich-section" }, inlines(part.elements, ctx));
    case "rich_text_preformatted":
      return h("pre", { class: "code-block" }, inlines(part.elements, ctx));
    case "rich_text_quote":
      return h("blockquote", { class: "quote" }, inlines(part.elements, ctx));
    case "rich_text_list": {
      const list = h(part.style === "ordered" ? "ol" : "ul", {
        class: `rich-list indent-${Math.min(Number(part.indent) || 0, 6)}`,
      });
      for (const item of part.elements || []) list.append(h("li", {}, inlines(item?.elements, ctx)));
      return list;
    }
    default:
      return h(
        "div",
        { class: "unsupported", testid: "unsupported-element" },
        `Unsupported element: ${part?.type ?? "?"}`,
      );
  }
}

export function renderRichText(block, ctx) {
  return h(
    "div",
    { class: "rich-text" },
    (block.elements || []).map((part) => richPart(part, ctx)),
  );
}

// Markdown inline: **bold**, *italic* / _italic_, ~~strike~~, `code`, [label](url).
const MD_INLINE =
  /`([^`]+)`|\*\*([^*]+)\*\*|~~([^~]+)~~|(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])|\[([^\]]+)\]\(([^)\s]+)\)/g;

function mdInline(text) {
  const nodes = [];
  let last = 0;
  for (const m of String(text).matchAll(MD_INLINE)) {
    if (m.index > last) nodes.push(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) nodes.push(h("code", { class: "code" }, m[1]));
    else if (m[2] !== undefined) nodes.push(h("strong", {}, mdInline(m[2])));
    else if (m[3] !== undefined) nodes.push(h("s", {}, mdInline(m[3])));
    else if (m[4] !== undefined) nodes.push(h("em", {}, mdInline(m[4])));
    else nodes.push(link(m[6], m[5]) || document.createTextNode(m[5]));
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export function renderMarkdown(block) {
  const root = h("div", { class: "markdown" });
  const lines = String(block.text ?? "").split("\n");
  let list = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("```")) {
      const code = [];
      while (++i < lines.length && !lines[i].startsWith("```")) code.push(lines[i]);
      root.append(h("pre", { class: "code-block" }, code.join("\n")));
      list = null;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*(?:[-*+]|(\d+)\.)\s+(.*)$/.exec(line);
    if (bullet) {
      const tag = bullet[1] ? "ol" : "ul";
      if (!list || list.tagName.toLowerCase() !== tag) root.append((list = h(tag, { class: "rich-list" })));
      list.append(h("li", {}, mdInline(bullet[2])));
      continue;
    }
    list = null;
    if (heading)
      root.append(h(`h${Math.min(heading[1].length + 2, 6)}`, { class: "md-heading" }, mdInline(heading[2])));
    else if (line.startsWith(">"))
      root.append(h("blockquote", { class: "quote" }, mdInline(line.replace(/^>\s?/, ""))));
    else if (line.trim()) root.append(h("p", {}, mdInline(line)));
  }
  return root;
}
