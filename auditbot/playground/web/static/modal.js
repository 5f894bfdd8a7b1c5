// Modals: the top view of the person's stack, its inputs, Submit (with required-field checks and
// the app's field errors shown under each field), Close (this view) and × (the whole stack).
// A view the app updates keeps what the person already typed in inputs that are still there.

import { renderBlocks } from "./blockkit.js";
import { clear, h } from "./dom.js";
import { plainText } from "./mrkdwn.js";

const EMPTY = (entry) => {
  const value = Object.values(entry)[0];
  return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
};

export class Form {
  constructor(preset = {}) {
    this.fields = [];
    this.presets = preset;
  }

  preset(blockId, actionId) {
    return this.presets?.[blockId]?.[actionId];
  }

  register(block, element, read) {
    this.fields.push({ block, element, read });
  }

  // state.values as Slack's client reports it: { block_id: { action_id: { selected_…: … } } }.
  values() {
    const values = {};
    for (const { block, element, read } of this.fields) {
      (values[block.block_id] ||= {})[element.action_id] = read();
    }
    return values;
  }

  missing() {
    const errors = {};
    for (const { block, read } of this.fields) {
      if (block.type === "input" && !block.optional && EMPTY(read()))
        errors[block.block_id] = "Please complete this required field.";
    }
    return errors;
  }
}

export class Modals {
  // handlers: submit(view, values), close(view, all), act(view, element, block, choice, values),
  // loadOptions(view, element, block, typed) and textCtx().
  constructor(root, handlers) {
    this.root = root;
    this.handlers = handlers;
    this.shown = null;
    this.form = null;
    this.errors = {};
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.shown && !document.querySelector(".menu, .confirm"))
        this.handlers.close(this.shown, false);
    });
  }

  render(stack) {
    const view = stack[stack.length - 1] || null;
    if (!view) {
      this.shown = null;
      this.form = null;
      clear(this.root).hidden = true;
      document.body.classList.remove("modal-open");
      return;
    }
    const sameView = this.shown && this.shown.id === view.id;
    if (sameView && this.shown.hash === view.hash) return;
    const preset = sameView ? this.form?.values() : view.state?.values;
    if (!sameView) this.errors = {};
    this.shown = view;
    this.draw(view, stack.length, preset);
  }

  draw(view, depth, preset) {
    this.form = new Form(preset || {});
    const ctx = {
      ...this.handlers.textCtx(),
      form: this.form,
      errors: this.errors,
      act: (element, block, choice) => this.handlers.act(view, element, block, choice, this.form.values()),
      loadOptions: (element, block, typed) => this.handlers.loadOptions(view, element, block, typed),
    };
    const problem = h("div", { class: "modal-problem", testid: "modal-problem", role: "alert", hidden: true });
    const submit = view.submit
      ? h("button", { type: "submit", class: "btn primary", testid: "modal-submit" }, plainText(view.submit))
      : null;
    const dialog = h(
      "form",
      {
        class: "modal",
        role: "dialog",
        "aria-modal": "true",
        testid: "modal",
        dataset: { viewId: view.id, callbackId: view.callback_id || "" },
        novalidate: true,
        onsubmit: (event) => {
          event.preventDefault();
          this.submit(view, submit, problem);
        },
      },
      h(
        "div",
        { class: "modal-header" },
        depth > 1
          ? h(
              "button",
              {
                type: "button",
                class: "icon-button",
                testid: "modal-back",
                "aria-label": "Back",
                onclick: () => this.handlers.close(view, false),
              },
              "←",
            )
          : null,
        h("h2", { class: "modal-title", testid: "modal-title" }, plainText(view.title)),
        h(
          "button",
          {
            type: "button",
            class: "icon-button",
            testid: "modal-close-x",
            "aria-label": "Close",
            onclick: () => this.handlers.close(view, true),
          },
          "×",
        ),
      ),
      h("div", { class: "modal-body", testid: "modal-body" }, renderBlocks(view.blocks, ctx)),
      problem,
      h(
        "div",
        { class: "modal-footer" },
        h(
          "button",
          { type: "button", class: "btn", testid: "modal-close", onclick: () => this.handlers.close(view, false) },
          plainText(view.close) || (submit ? "Cancel" : "Close"),
        ),
        submit,
      ),
    );
    clear(this.root).append(h("div", { class: "modal-backdrop", testid: "modal-backdrop" }, dialog));
    this.root.hidden = false;
    document.body.classList.add("modal-open");
  }

  showErrors(errors) {
    this.errors = errors;
    for (const el of this.root.querySelectorAll(".field-error")) {
      const blockId = el.dataset.testid.replace(/^field-error-/, "");
      el.textContent = errors[blockId] || "";
      el.hidden = !errors[blockId];
      el.closest(".block-input")?.classList.toggle("has-error", Boolean(errors[blockId]));
    }
  }

  async submit(view, button, problem) {
    const missing = this.form.missing();
    if (Object.keys(missing).length) {
      this.showErrors(missing);
      return;
    }
    this.showErrors({});
    problem.hidden = true;
    if (button) button.disabled = true;
    try {
      const answer = await this.handlers.submit(view, this.form.values());
      if (answer.response_action === "errors") {
        const errors = answer.errors || {};
        this.showErrors(errors);
        // An error for a block that is not an input on the page still shows, above the buttons.
        const fields = new Set([...this.root.querySelectorAll(".field-error")].map((el) => el.dataset.testid));
        const elsewhere = Object.entries(errors).filter(([blockId]) => !fields.has(`field-error-${blockId}`));
        if (elsewhere.length) {
          problem.textContent = elsewhere.map(([, text]) => text).join(" ");
          problem.hidden = false;
        }
      }
    } catch (error) {
      problem.textContent = String(error.message || error);
      problem.hidden = false;
    } finally {
      if (button) button.disabled = false;
    }
  }
}
