// The composer's autocomplete for # (channels) and @ (people), as Slack's shows while you type.
// Arrow keys move, Enter or Tab picks, Escape closes; a click picks too. Picking writes "#name " or
// "@name "; the playground links each name that names something when the command is sent.

import { append, avatar, clear, h, icon } from "./dom.js";

const LIMIT = 8;
// The word being typed at the caret: a # or @ at the start or after a space, "(", "," or ":".
const TYPING = /(^|[\s(,:])([#@])([\w.-]*)$/u;

export class Mentions {
  // source() -> { channels: [{id, name, is_private}], people: [{id, name, real_name}] }
  constructor(input, root, source) {
    this.input = input;
    this.root = root;
    this.source = source;
    this.items = [];
    this.active = 0;
    this.word = null;
    input.addEventListener("input", () => this.update());
    input.addEventListener("click", () => this.update());
    // Closed a moment after the composer loses focus (so a click on the list still picks), unless
    // the composer has it back by then: a blur just before typing must not close the list typed.
    input.addEventListener("blur", () =>
      setTimeout(() => {
        if (document.activeElement !== input) this.close();
      }, 150),
    );
  }

  get open() {
    return !this.root.hidden;
  }

  // The word at the caret and where it starts, or null.
  typing() {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const match = TYPING.exec(this.input.value.slice(0, caret));
    if (!match) return null;
    return { sigil: match[2], typed: match[3].toLowerCase(), start: caret - match[2].length - match[3].length, caret };
  }

  candidates(word) {
    const { channels, people } = this.source();
    const score = (names) => {
      const hits = names.map((n) => String(n || "").toLowerCase()).map((n) => n.indexOf(word.typed));
      const best = Math.min(...hits.filter((i) => i >= 0));
      return Number.isFinite(best) ? best : -1;
    };
    const found =
      word.sigil === "#"
        ? channels.map((c) => ({ name: c.name, label: c.name, detail: "", item: c, score: score([c.name]) }))
        : people.map((p) => ({ name: p.name, label: p.real_name, detail: p.name, item: p, score: score([p.name, p.real_name]) }));
    return found
      .filter((f) => f.score >= 0)
      .sort((a, b) => a.score - b.score || a.label.localeCompare(b.label))
      .slice(0, LIMIT);
  }

  update() {
    const word = this.typing();
    if (!word) return this.close();
    this.word = word;
    this.items = this.candidates(word);
    if (!this.items.length) return this.close();
    this.active = Math.min(this.active, this.items.length - 1);
    this.draw();
  }

  draw() {
    const sigil = this.word.sigil;
    append(clear(this.root), [
      h("div", { class: "mention-heading" }, sigil === "#" ? "Channels" : "People"),
      this.items.map((found, index) =>
        h(
          "button",
          {
            type: "button",
            role: "option",
            class: index === this.active ? "mention-option active" : "mention-option",
            testid: "mention-option",
            "aria-selected": String(index === this.active),
            dataset: { name: found.name },
            onmousedown: (event) => event.preventDefault(),
            onmouseenter: () => {
              this.active = index;
              this.mark();
            },
            onclick: () => this.pick(found),
          },
          sigil === "#"
            ? h("span", { class: "mention-icon", "aria-hidden": "true" }, icon(found.item.is_private ? "lock" : "hash"))
            : avatar(found.label),
          h("span", { class: "mention-label" }, found.label),
          found.detail ? h("span", { class: "mention-detail" }, `@${found.detail}`) : null,
        ),
      ),
    ]);
    this.root.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  mark() {
    this.root.querySelectorAll(".mention-option").forEach((el, index) => {
      el.classList.toggle("active", index === this.active);
      el.setAttribute("aria-selected", String(index === this.active));
    });
  }

  pick(found) {
    const word = this.typing() || this.word;
    const value = this.input.value;
    const inserted = `${word.sigil}${found.name} `;
    const after = value.slice(word.caret).replace(/^[\w.-]*\s?/u, "");
    this.input.value = value.slice(0, word.start) + inserted + after;
    const caret = word.start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.input.focus();
    this.close();
  }

  close() {
    this.root.hidden = true;
    this.items = [];
    this.active = 0;
    this.input.setAttribute("aria-expanded", "false");
  }

  // Keys the open list takes before the composer does; true when it took this one.
  handleKey(event) {
    if (!this.open || !this.items.length) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this.mark();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.pick(this.items[this.active]);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }
}
