// The sidebar: the workspace, who you are (switchable), channels, direct messages and the app.

import { avatar, clear, h, icon } from "./dom.js";

function item({ testid, icon: glyph, label, active, unread, onclick, extra }) {
  return h(
    "button",
    {
      type: "button",
      class: active ? "sidebar-item active" : "sidebar-item",
      testid,
      onclick,
      "aria-current": active ? "page" : null,
    },
    h("span", { class: "sidebar-icon", "aria-hidden": "true" }, glyph),
    h("span", { class: "sidebar-label" }, label),
    extra || null,
    unread ? h("span", { class: "unread", "aria-label": `${unread} new` }, String(unread)) : null,
  );
}

// model: { state, view, unread(channelId), open(view), switchUser(id) }
export function renderSidebar(root, model) {
  const { state, view } = model;
  const me = state.users.find((u) => u.id === state.user);
  const switcher = h(
    "select",
    {
      class: "user-switcher",
      testid: "user-switcher",
      "aria-label": "Acting as",
      onchange: (event) => model.switchUser(event.target.value),
    },
    state.users
      .filter((u) => !u.is_bot)
      .map((u) => h("option", { value: u.id, selected: u.id === state.user }, `${u.real_name} · ${u.tz}`)),
  );
  const channels = state.channels.map((channel) =>
    item({
      testid: `channel-${channel.name}`,
      icon: icon(channel.is_private ? "lock" : "hash"),
      label: channel.name,
      active: view.kind === "channel" && view.id === channel.id,
      unread: model.unread(channel.id),
      onclick: () => model.open({ kind: "channel", id: channel.id }),
      extra: channel.is_shared
        ? h("span", { class: "shared", title: "Shared with another organization" }, icon("shared"))
        : null,
    }),
  );
  const appDm = state.app.dm;
  const dms = state.dms.map((dm) =>
    item({
      testid: `dm-${dm.name}`,
      icon: avatar(dm.name, { bot: dm.with_user === state.bot.id }),
      label: dm.name,
      active:
        dm.id === appDm ? view.kind === "app" && view.tab === "messages" : view.kind === "channel" && view.id === dm.id,
      unread: model.unread(dm.id),
      onclick: () => model.open(dm.id === appDm ? { kind: "app", tab: "messages" } : { kind: "channel", id: dm.id }),
    }),
  );
  clear(root).append(
    h(
      "div",
      { class: "team" },
      h("span", { class: "team-name" }, state.team.name),
      h("span", { class: "team-note" }, "playground"),
    ),
    h("label", { class: "acting-as" }, h("span", { class: "acting-label" }, "You are"), switcher),
    h(
      "nav",
      { class: "sidebar-nav", "aria-label": "Conversations" },
      h("div", { class: "sidebar-section" }, "Channels"),
      channels,
      h("div", { class: "sidebar-section" }, "Direct messages"),
      dms,
      h("div", { class: "sidebar-section" }, "Apps"),
      item({
        testid: "app-home-link",
        icon: avatar(state.app.name, { bot: true }),
        label: state.app.name,
        active: view.kind === "app" && view.tab === "home",
        onclick: () => model.open({ kind: "app", tab: "home" }),
      }),
    ),
    h(
      "div",
      { class: "sidebar-footer", testid: "zone-note" },
      me ? `Times show in ${me.real_name}'s Slack time zone (${me.tz}), 24-hour clock.` : "",
    ),
  );
}
