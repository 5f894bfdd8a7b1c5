// Block Kit blocks as DOM: header, section (text, fields, accessory), context, divider, actions,
// image (a placeholder box, nothing is fetched), input, rich_text and markdown. A block type it does
// not know, or one it cannot draw, shows "Unsupported block: <type>": nothing ever silently vanishes.

import { h, icon } from "./dom.js";
import { renderElement, unsupported } from "./elements.js";
import { plainText, renderText } from "./mrkdwn.js";
import { renderMarkdown, renderRichText } from "./richtext.js";

function textCtx(ctx) {
  return { userName: ctx.userName, channelName: ctx.channelName };
}

function imageBox(alt, title, { small = false } = {}) {
  return h(
    "div",
    {
      class: small ? "image-placeholder small" : "image-placeholder",
      role: "img",
      "aria-label": alt || "image",
      title: alt || "image",
    },
    icon("image"),
    small ? null : h("span", { class: "image-alt" }, alt || "image"),
    !small && title ? h("span", { class: "image-title" }, title) : null,
  );
}

const BLOCKS = {
  header: (block) => h("div", { class: "block-header" }, plainText(block.text)),

  section: (block, ctx) => {
    const main = h("div", { class: "section-main" });
    if (block.text) main.append(renderText(block.text, textCtx(ctx)));
    if (Array.isArray(block.fields) && block.fields.length) {
      main.append(
        h(
          "div",
          { class: "section-fields" },
          block.fields.map((field) => h("div", { class: "field" }, renderText(field, textCtx(ctx)))),
        ),
      );
    }
    const accessory = block.accessory
      ? h("div", { class: "section-accessory" }, renderElement(block.accessory, block, ctx))
      : null;
    return h("div", { class: "block-section" }, main, accessory);
  },

  context: (block, ctx) =>
    h(
      "div",
      { class: "block-context" },
      (block.elements || []).map((element) =>
        element?.type === "image"
          ? imageBox(element.alt_text, null, { small: true })
          : h("div", { class: "context-item" }, renderText(element, textCtx(ctx))),
      ),
    ),

  divider: () => h("hr", { class: "block-divider" }),

  actions: (block, ctx) =>
    h(
      "div",
      { class: "block-actions" },
      (block.elements || []).map((element) => renderElement(element, block, ctx)),
    ),

  image: (block) =>
    h("div", { class: "block-image" }, imageBox(block.alt_text, block.title ? plainText(block.title) : null)),

  input: (block, ctx) => {
    const label = h(
      "label",
      { class: "input-label" },
      plainText(block.label),
      block.optional ? h("span", { class: "optional" }, " (optional)") : null,
    );
    const error = ctx.errors?.[block.block_id];
    return h(
      "div",
      { class: error ? "block-input has-error" : "block-input", testid: `input-block-${block.block_id}` },
      label,
      renderElement(block.element, block, ctx, { inInput: true }),
      block.hint ? h("div", { class: "input-hint" }, plainText(block.hint)) : null,
      h(
        "div",
        { class: "field-error", testid: `field-error-${block.block_id}`, role: "alert", hidden: !error },
        error || "",
      ),
    );
  },

  rich_text: (block, ctx) => renderRichText(block, textCtx(ctx)),

  markdown: (block) => renderMarkdown(block),
};

export function renderBlock(block, ctx) {
  const type = block && typeof block === "object" ? String(block.type) : "nothing";
  const draw = BLOCKS[type];
  let body;
  try {
    body = draw ? draw(block, ctx) : unsupported("block", type);
  } catch (error) {
    console.error("could not draw a block", type, error);
    body = unsupported("block", `${type} (could not be drawn)`);
  }
  return h(
    "div",
    {
      class: `block type-${type.replace(/[^a-z_]/g, "")}`,
      dataset: { blockId: block?.block_id ?? "", blockType: type },
    },
    body,
  );
}

// Blocks as one element. ctx: { act, loadOptions, form, errors, userName, channelName, users, channels }.
export function renderBlocks(blocks, ctx) {
  return h(
    "div",
    { class: "blocks" },
    (Array.isArray(blocks) ? blocks : []).map((block) => renderBlock(block, ctx)),
  );
}
