// A searchable menu for select elements: external ones load options through the app as you type,
// multi ones collect chips. Options arrive as Slack's {options} or {option_groups}.

import { clear, h } from "./dom.js";
import { plainText } from "./mrkdwn.js";

const DEBOUNCE_MS = 250;

function optionLabel(option) {
  return plainText(option?.text);
}

export function combo(element, { multi, source, initial, onPick, placeholder }) {
  const id = element.action_id;
  let selected = (initial || []).filter(Boolean);
  let timer = null;
  let asked = 0;
  const minimum = Number.isInteger(element.min_query_length) ? element.min_query_length : 3;

  const chips = h("div", { class: "combo-chips" });
  const input = h("input", {
    class: "combo-input",
    type: "text",
    autocomplete: "off",
    role: "combobox",
    "aria-expanded": "false",
    testid: `select-input-${id}`,
    placeholder: placeholder || "Select…",
  });
  const list = h("div", { class: "combo-list", role: "listbox", testid: `options-${id}`, hidden: true });
  const root = h("div", { class: "combo", testid: `select-${id}`, dataset: { actionId: id } }, chips, input, list);

  function drawChips() {
    clear(chips);
    if (!multi) {
      input.placeholder = selected[0] ? optionLabel(selected[0]) : placeholder || "Select…";
      input.classList.toggle("has-choice", Boolean(selected[0]));
      return;
    }
    for (const option of selected) {
      const remove = h(
        "button",
        { type: "button", class: "chip-remove", "aria-label": "Remove", onclick: () => unpick(option) },
        "×",
      );
      chips.append(
        h("span", { class: "chip", testid: "chip", dataset: { value: option.value } }, optionLabel(option), remove),
      );
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function pick(option) {
    selected = multi ? [...selected.filter((o) => o.value !== option.value), option] : [option];
    input.value = "";
    drawChips();
    close();
    onPick?.(multi ? selected : option);
  }

  function unpick(option) {
    selected = selected.filter((o) => o.value !== option.value);
    drawChips();
    onPick?.(multi ? selected : null);
  }

  function optionButton(option) {
    const chosen = selected.some((o) => o.value === option.value);
    return h(
      "button",
      {
        type: "button",
        role: "option",
        class: chosen ? "combo-option chosen" : "combo-option",
        testid: "option",
        dataset: { value: option.value },
        "aria-selected": chosen ? "true" : "false",
        onmousedown: (event) => event.preventDefault(),
        onclick: () => pick(option),
      },
      h("span", { class: "option-text" }, optionLabel(option)),
      option.description ? h("span", { class: "option-description" }, plainText(option.description)) : null,
    );
  }

  function show(answer) {
    clear(list);
    const groups = Array.isArray(answer?.option_groups)
      ? answer.option_groups
      : [{ label: null, options: Array.isArray(answer?.options) ? answer.options : [] }];
    let count = 0;
    for (const group of groups) {
      const options = (group?.options || []).filter((o) => o && typeof o.value === "string");
      if (!options.length) continue;
      if (group.label) list.append(h("div", { class: "combo-group", role: "presentation" }, plainText(group.label)));
      list.append(...options.map(optionButton));
      count += options.length;
    }
    if (!count) list.append(h("div", { class: "combo-empty" }, "No matches"));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function load() {
    const typed = input.value;
    if (typed.length < minimum) {
      close();
      return;
    }
    const ticket = ++asked;
    list.hidden = false;
    clear(list).append(h("div", { class: "combo-empty" }, "Loading…"));
    try {
      const answer = await source(typed);
      if (ticket === asked) show(answer);
    } catch (error) {
      if (ticket === asked)
        clear(list).append(h("div", { class: "combo-empty combo-error" }, String(error.message || error)));
    }
  }

  input.addEventListener("focus", () => load());
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      event.stopPropagation();
    } else if (event.key === "Enter") {
      event.preventDefault();
      list.querySelector(".combo-option")?.click();
    } else if (event.key === "Backspace" && !input.value && multi && selected.length) {
      unpick(selected[selected.length - 1]);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  drawChips();

  return { root, input, get: () => (multi ? selected.slice() : selected[0] || null) };
}

// A source over the element's own options (static menus), filtered by what was typed.
export function staticSource(element) {
  const matches = (option, typed) => optionLabel(option).toLowerCase().includes(typed.toLowerCase());
  return async (typed) => {
    if (Array.isArray(element.option_groups)) {
      return {
        option_groups: element.option_groups.map((g) => ({
          label: g.label,
          options: (g.options || []).filter((o) => matches(o, typed)),
        })),
      };
    }
    return { options: (element.options || []).filter((o) => matches(o, typed)) };
  };
}
