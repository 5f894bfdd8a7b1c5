// Block Kit's interactive elements: buttons, menus, pickers and text inputs.
// In a modal's input block an element only records its value (read on submit); elsewhere using it
// sends block_actions to the app through ctx.act(element, block, choice).

import { combo, staticSource } from "./combo.js";
import { localInputValue, unixFromLocalInput } from "./dates.js";
import { h, icon, safeUrl, showMenu } from "./dom.js";
import { plainText, renderText } from "./mrkdwn.js";

function allOptions(element) {
  const grouped = (element.option_groups || []).flatMap((g) => g.options || []);
  return [...(element.options || []), ...grouped].filter((o) => o && typeof o.value === "string");
}

function placeholderOf(element) {
  return element.placeholder ? plainText(element.placeholder) : "";
}

async function confirmed(confirm) {
  if (!confirm) return true;
  const title = plainText(confirm.title) || "Are you sure?";
  const body = confirm.text ? confirm.text.text : "";
  return new Promise((resolve) => {
    const done = (answer) => {
      backdrop.remove();
      resolve(answer);
    };
    const backdrop = h(
      "div",
      { class: "modal-backdrop confirm-backdrop" },
      h(
        "div",
        { class: "modal confirm", role: "alertdialog", testid: "confirm" },
        h("div", { class: "modal-header" }, h("h2", { class: "modal-title" }, title)),
        h("div", { class: "modal-body" }, renderText({ type: confirm.text?.type || "plain_text", text: body })),
        h(
          "div",
          { class: "modal-footer" },
          h(
            "button",
            { type: "button", class: "btn", testid: "confirm-deny", onclick: () => done(false) },
            plainText(confirm.deny) || "Cancel",
          ),
          h(
            "button",
            {
              type: "button",
              class: `btn ${confirm.style === "danger" ? "danger" : "primary"}`,
              testid: "confirm-ok",
              onclick: () => done(true),
            },
            plainText(confirm.confirm) || "Yes",
          ),
        ),
      ),
    );
    document.body.append(backdrop);
  });
}

function button(element, block, ctx) {
  const style = element.style === "primary" || element.style === "danger" ? element.style : "";
  const el = h(
    "button",
    {
      type: "button",
      class: `btn ${style}`.trim(),
      testid: `action-${element.action_id}`,
      dataset: { actionId: element.action_id },
    },
    plainText(element.text),
  );
  el.addEventListener("click", async () => {
    if (!(await confirmed(element.confirm))) return;
    const href = safeUrl(element.url);
    if (href) window.open(href, "_blank", "noopener,noreferrer");
    el.disabled = true;
    el.classList.add("busy");
    try {
      await ctx.act(element, block, {});
    } finally {
      el.disabled = false;
      el.classList.remove("busy");
    }
  });
  return el;
}

function overflow(element, block, ctx) {
  const el = h(
    "button",
    { type: "button", class: "btn overflow", testid: `action-${element.action_id}`, "aria-label": "More options" },
    "⋮",
  );
  el.addEventListener("click", (event) => {
    event.stopPropagation();
    showMenu(
      el,
      allOptions(element).map((option) => ({
        label: plainText(option.text),
        testid: "overflow-option",
        run: async () => {
          if (await confirmed(element.confirm))
            await ctx.act(element, block, { selected_option: { value: option.value } });
        },
      })),
      { testid: `overflow-menu-${element.action_id}` },
    );
  });
  return el;
}

// Each entry: build(element, block, ctx, preset) -> { root, read?() -> state entry, choice?(value) -> action choice }.
const KINDS = {
  plain_text_input: (element, block, ctx, preset) => {
    const initial = preset?.value ?? element.initial_value ?? "";
    const props = {
      class: "text-input",
      testid: `input-${element.action_id}`,
      placeholder: placeholderOf(element) || null,
      value: initial,
    };
    if (element.max_length) props.maxlength = element.max_length;
    const el = element.multiline ? h("textarea", { ...props, rows: 3 }) : h("input", { ...props, type: "text" });
    if (element.dispatch_action) {
      el.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !element.multiline) ctx.act(element, block, { value: el.value });
      });
    }
    return { root: el, read: () => ({ value: el.value === "" ? null : el.value }) };
  },
  datepicker: (element, block, ctx, preset) => {
    const el = h("input", {
      type: "date",
      class: "text-input",
      testid: `input-${element.action_id}`,
      value: preset?.selected_date ?? element.initial_date ?? "",
    });
    return {
      root: el,
      read: () => ({ selected_date: el.value || null }),
      onchange: (fire) => el.addEventListener("change", () => fire({ selected_date: el.value || null })),
    };
  },
  timepicker: (element, block, ctx, preset) => {
    const el = h("input", {
      type: "time",
      class: "text-input",
      testid: `input-${element.action_id}`,
      value: preset?.selected_time ?? element.initial_time ?? "",
    });
    return {
      root: el,
      read: () => ({ selected_time: el.value || null }),
      onchange: (fire) => el.addEventListener("change", () => fire({ selected_time: el.value || null })),
    };
  },
  datetimepicker: (element, block, ctx, preset) => {
    const initial = preset?.selected_date_time ?? element.initial_date_time;
    const el = h("input", {
      type: "datetime-local",
      class: "text-input",
      testid: `input-${element.action_id}`,
      value: initial ? localInputValue(initial) : "",
    });
    // Slack's client reads the picked date and time in the person's profile zone.
    const read = () => ({ selected_date_time: unixFromLocalInput(el.value) });
    return { root: el, read, onchange: (fire) => el.addEventListener("change", () => fire(read())) };
  },
  static_select: (element, block, ctx, preset) => {
    const chosen = preset?.selected_option?.value ?? element.initial_option?.value ?? "";
    const option = (o) => h("option", { value: o.value, selected: o.value === chosen }, plainText(o.text));
    const groups = (element.option_groups || []).map((g) =>
      h("optgroup", { label: plainText(g.label) }, (g.options || []).map(option)),
    );
    const el = h(
      "select",
      { class: "select", testid: `select-${element.action_id}` },
      h("option", { value: "", selected: !chosen }, placeholderOf(element) || "Choose…"),
      (element.options || []).map(option),
      groups,
    );
    const read = () => ({ selected_option: el.value ? { value: el.value } : null });
    return { root: el, read, onchange: (fire) => el.addEventListener("change", () => el.value && fire(read())) };
  },
  radio_buttons: (element, block, ctx, preset) => choiceList(element, preset, "radio"),
  checkboxes: (element, block, ctx, preset) => choiceList(element, preset, "checkbox"),
  users_select: (element, block, ctx, preset) => peoplePicker(element, ctx, preset),
  conversations_select: (element, block, ctx, preset) => channelPicker(element, ctx, preset, "selected_conversation"),
  channels_select: (element, block, ctx, preset) => channelPicker(element, ctx, preset, "selected_channel"),
};

for (const [kind, multi, external] of [
  ["external_select", false, true],
  ["multi_external_select", true, true],
  ["multi_static_select", true, false],
]) {
  KINDS[kind] = (element, block, ctx, preset) => {
    const key = multi ? "selected_options" : "selected_option";
    const initial = preset
      ? multi
        ? preset[key]
        : [preset[key]]
      : multi
        ? element.initial_options
        : [element.initial_option];
    let fire = null;
    const picker = combo(element, {
      multi,
      initial,
      placeholder: placeholderOf(element),
      source: external ? (typed) => ctx.loadOptions(element, block, typed) : staticSource(element),
      onPick: (picked) => fire?.({ [key]: picked }),
    });
    return { root: picker.root, read: () => ({ [key]: picker.get() }), onchange: (f) => (fire = f) };
  };
}

function choiceList(element, preset, type) {
  const key = type === "radio" ? "selected_option" : "selected_options";
  const initial = preset ? [preset[key]].flat() : [element.initial_option, ...(element.initial_options || [])];
  const chosen = new Set(initial.filter(Boolean).map((o) => o.value));
  const name = `${element.action_id}-${Math.random().toString(36).slice(2)}`;
  const inputs = [];
  const root = h(
    "div",
    { class: "choices", testid: `input-${element.action_id}` },
    allOptions(element).map((option) => {
      const input = h("input", { type, name, value: option.value, checked: chosen.has(option.value) });
      inputs.push([input, option]);
      return h("label", { class: "choice" }, input, renderText(option.text));
    }),
  );
  const picked = () => inputs.filter(([input]) => input.checked).map(([, option]) => ({ value: option.value }));
  const read = () => ({ [key]: type === "radio" ? picked()[0] || null : picked() });
  return { root, read, onchange: (fire) => root.addEventListener("change", () => fire(read())) };
}

function peoplePicker(element, ctx, preset) {
  const chosen = preset?.selected_user ?? element.initial_user ?? "";
  const people = (ctx.users || []).filter((u) => !u.is_bot);
  const el = h(
    "select",
    { class: "select", testid: `select-${element.action_id}` },
    h("option", { value: "" }, placeholderOf(element) || "Choose someone"),
    people.map((u) => h("option", { value: u.id, selected: u.id === chosen }, u.real_name)),
  );
  const read = () => ({ selected_user: el.value || null });
  return { root: el, read, onchange: (fire) => el.addEventListener("change", () => fire(read())) };
}

function channelPicker(element, ctx, preset, key) {
  const chosen = preset?.[key] ?? element[key.replace("selected_", "initial_")] ?? "";
  const el = h(
    "select",
    { class: "select", testid: `select-${element.action_id}` },
    h("option", { value: "" }, placeholderOf(element) || "Choose a channel"),
    (ctx.channels || []).map((c) => h("option", { value: c.id, selected: c.id === chosen }, `#${c.name}`)),
  );
  const read = () => ({ [key]: el.value || null });
  return { root: el, read, onchange: (fire) => el.addEventListener("change", () => fire(read())) };
}

// An element as DOM. In an input block (inInput) it only records its value; elsewhere it acts.
export function renderElement(element, block, ctx, { inInput = false } = {}) {
  if (!element || typeof element !== "object") return unsupported("element", "nothing");
  if (element.type === "button") return button(element, block, ctx);
  if (element.type === "overflow") return overflow(element, block, ctx);
  if (element.type === "image")
    return h(
      "span",
      {
        class: "image-placeholder small",
        title: element.alt_text || "image",
        role: "img",
        "aria-label": element.alt_text || "image",
      },
      icon("image"),
    );
  const build = KINDS[element.type];
  if (!build) return unsupported("element", element.type);
  const preset = ctx.form?.preset(block.block_id, element.action_id);
  const made = build(element, block, ctx, preset);
  if (made.read && ctx.form) ctx.form.register(block, element, made.read);
  if (made.onchange && (!inInput || element.dispatch_action))
    made.onchange((choice) => ctx.act(element, block, choice));
  return made.root;
}

export function unsupported(what, type) {
  return h("div", { class: "unsupported", testid: `unsupported-${what}` }, `Unsupported ${what}: ${type}`);
}
