// Building DOM safely: every string becomes a text node or an attribute value, never markup.
// Event data is hostile; nothing here (or anywhere in the page) assigns innerHTML.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "testid") el.dataset.testid = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else if (key === "checked" || key === "disabled" || key === "multiple" || key === "selected")
      el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

const SAFE_URL = /^https?:\/\//i;

export function safeUrl(url) {
  if (typeof url !== "string" || !SAFE_URL.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// A link that opens in a new tab and tells the target nothing about the page; null for non-http(s) URLs.
export function link(url, label) {
  const href = safeUrl(url);
  if (!href) return null;
  return h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "link" }, label ?? url);
}

// A small floating menu under an anchor; one at a time, closed by a click elsewhere or Escape.
let openMenu = null;

export function closeMenu() {
  if (openMenu) {
    openMenu.remove();
    openMenu = null;
  }
}

export function showMenu(anchor, items, { testid = "menu", align = "right" } = {}) {
  closeMenu();
  const menu = h(
    "div",
    { class: "menu", role: "menu", testid },
    items.map((item) =>
      h(
        "button",
        {
          class: "menu-item",
          role: "menuitem",
          type: "button",
          testid: item.testid,
          onclick: (event) => {
            event.stopPropagation();
            closeMenu();
            item.run();
          },
        },
        h("span", { class: "menu-label" }, item.label),
        item.description ? h("span", { class: "menu-description" }, item.description) : null,
      ),
    ),
  );
  document.body.append(menu);
  const box = anchor.getBoundingClientRect();
  const width = menu.offsetWidth;
  const left = align === "right" ? box.right - width : box.left;
  const below = box.bottom + 4 + menu.offsetHeight < window.innerHeight;
  menu.style.left = `${Math.max(8, Math.min(left, window.innerWidth - width - 8))}px`;
  menu.style.top = below ? `${box.bottom + 4}px` : `${Math.max(8, box.top - menu.offsetHeight - 4)}px`;
  openMenu = menu;
  return menu;
}

document.addEventListener("click", (event) => {
  if (openMenu && !openMenu.contains(event.target)) closeMenu();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenu();
});

const PALETTE = ["#b34a7a", "#2f7d6d", "#3c6fb0", "#9a6a1f", "#6b4fa8", "#a8483a", "#3f7f3a", "#1f7f99"];

export function avatar(name, { bot = false } = {}) {
  const words = String(name || "?")
    .trim()
    .split(/\s+/);
  const initials = (words[0]?.[0] || "?") + (words.length > 1 ? words[words.length - 1][0] : "");
  let hash = 0;
  for (const ch of String(name)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  const el = h("div", { class: bot ? "avatar avatar-bot" : "avatar", "aria-hidden": "true" }, initials.toUpperCase());
  if (!bot) el.style.background = PALETTE[hash % PALETTE.length];
  return el;
}

// Small line icons for the page's own chrome (drawn, so they show without an emoji font).
const ICONS = {
  lock: "M5 7V5a3 3 0 0 1 6 0v2M4 7h8v6H4z",
  eye: "M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8zM8 6a2 2 0 1 0 0 4 2 2 0 1 0 0-4",
  bolt: "M9 1 3 9h4l-1 6 6-8H8z",
  hash: "M6 2 4.5 14M11.5 2 10 14M2.5 5.5h11M2 10.5h11",
  shared: "M2 5h10l-2.5-2.5M14 11H4l2.5 2.5",
  image: "M2 3h12v10H2zM2 11l3.5-3.5 3 3 2-2L14 12M10.5 6.5a1 1 0 1 0 0-.01",
};

export function icon(name, label = null) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", `icon icon-${name}`);
  svg.setAttribute("aria-hidden", label ? "false" : "true");
  if (label) svg.setAttribute("aria-label", label);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name] || "");
  svg.append(path);
  return svg;
}
