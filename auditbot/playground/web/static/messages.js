// A conversation's messages: author, time, Block Kit (or mrkdwn text), files, threads, day dividers,
// "Only visible to you" for ephemeral ones, and the ⋯ menu with the app's message shortcuts.

import { renderBlocks } from "./blockkit.js";
import { dayDivider, dayKey, messageTime } from "./dates.js";
import { avatar, h, icon, safeUrl, showMenu } from "./dom.js";
import { renderMrkdwn } from "./mrkdwn.js";

function size(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function fileCard(file) {
  const href = safeUrl(file.url_private_download || file.url_private);
  const name = String(file.title || file.name || "file");
  return h(
    "div",
    { class: "file", testid: "file" },
    h(
      "div",
      { class: "file-icon", "aria-hidden": "true" },
      String(file.filetype || "file")
        .slice(0, 4)
        .toUpperCase(),
    ),
    h(
      "div",
      { class: "file-body" },
      h("div", { class: "file-name" }, name),
      h("div", { class: "file-meta" }, `${file.pretty_type || file.filetype || "File"} · ${size(file.size)}`),
    ),
    href
      ? h(
          "a",
          {
            class: "btn file-download",
            href,
            download: String(file.name || "file"),
            rel: "noopener noreferrer",
            testid: "file-download",
          },
          "Download",
        )
      : null,
  );
}

function author(message, ctx) {
  if (message.bot_id || message.user === ctx.bot?.id)
    return { name: message.bot_profile?.name || ctx.bot?.name || "app", bot: true };
  const person = ctx.users.get(message.user);
  return { name: person?.real_name || message.user || "someone", bot: false };
}

function menuButton(message, ctx) {
  const shortcuts = ctx.messageShortcuts || [];
  if (message.ephemeral || !shortcuts.length) return null;
  const button = h(
    "button",
    {
      type: "button",
      class: "icon-button",
      testid: "message-menu-button",
      "aria-label": "More actions",
      title: "More actions",
    },
    "⋯",
  );
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    showMenu(
      button,
      shortcuts.map((shortcut) => ({
        label: shortcut.name,
        description: ctx.appName,
        testid: `shortcut-${shortcut.callback_id}`,
        run: () => ctx.runShortcut(message, shortcut),
      })),
      { testid: "message-menu" },
    );
  });
  return h("div", { class: "message-actions" }, button);
}

export function renderMessage(message, ctx) {
  const who = author(message, ctx);
  const time = messageTime(message.ts);
  const textCtx = { userName: ctx.userName, channelName: ctx.channelName };
  const blockCtx = {
    ...textCtx,
    users: ctx.userList,
    channels: ctx.channelList,
    act: (element, block, choice) => ctx.act(message, element, block, choice),
    loadOptions: (element, block, typed) => ctx.loadOptions(message, element, block, typed),
  };
  const body =
    Array.isArray(message.blocks) && message.blocks.length
      ? renderBlocks(message.blocks, blockCtx)
      : renderMrkdwn(message.text, textCtx);
  return h(
    "div",
    {
      class: message.ephemeral ? "message ephemeral" : "message",
      testid: "message",
      dataset: {
        ts: message.ts,
        ephemeral: String(Boolean(message.ephemeral)),
        author: who.bot ? "app" : message.user || "",
      },
    },
    avatar(who.name, { bot: who.bot }),
    h(
      "div",
      { class: "message-body" },
      h(
        "div",
        { class: "message-meta" },
        h("span", { class: "author" }, who.name),
        who.bot ? h("span", { class: "badge" }, "APP") : null,
        h("time", { class: "message-time", datetime: time.date.toISOString(), title: time.long }, time.short),
        message.edited ? h("span", { class: "edited" }, "(edited)") : null,
      ),
      h("div", { class: "message-content" }, body),
      Array.isArray(message.files) && message.files.length
        ? h("div", { class: "files" }, message.files.map(fileCard))
        : null,
      message.ephemeral
        ? h(
            "div",
            { class: "ephemeral-note", testid: "ephemeral-note" },
            icon("eye"),
            " Only visible to you · ",
            h("button", { type: "button", class: "link-button", onclick: () => ctx.dismiss(message) }, "Dismiss"),
          )
        : null,
    ),
    menuButton(message, ctx),
  );
}

export function renderConversation(entries, ctx) {
  const list = h("div", { class: "message-list", testid: "message-list", role: "log", "aria-live": "polite" });
  let lastDay = null;
  for (const { message, replies } of entries) {
    const day = dayKey(messageTime(message.ts).date);
    if (day !== lastDay) {
      list.append(h("div", { class: "day-divider" }, h("span", {}, dayDivider(messageTime(message.ts).date))));
      lastDay = day;
    }
    list.append(renderMessage(message, ctx));
    if (replies.length) {
      list.append(
        h(
          "div",
          { class: "thread", testid: "thread" },
          h("div", { class: "thread-count" }, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`),
          replies.map((reply) => renderMessage(reply, ctx)),
        ),
      );
    }
  }
  if (!entries.length) list.append(h("div", { class: "empty" }, "No messages yet."));
  return list;
}
