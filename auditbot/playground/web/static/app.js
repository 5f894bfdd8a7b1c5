// The playground page: a Slack-like client for one workspace, driving the real app.
// It follows the workspace's event log (long poll), draws conversations, modals and the app's Home
// tab, and turns what you do (typing, clicking, shortcuts) into /ui/ requests; the server sends the
// app what Slack would.

import * as api from "./api.js";
import { renderBlocks } from "./blockkit.js";
import { longDateTime, setTimeZone } from "./dates.js";
import { clear, h, icon, showMenu } from "./dom.js";
import { Mentions } from "./mentions.js";
import { renderConversation } from "./messages.js";
import { Modals } from "./modal.js";
import { renderSidebar } from "./sidebar.js";
import { Store } from "./store.js";

const $ = (id) => document.getElementById(id);
const store = new Store();
const page = {
  state: null,
  users: new Map(),
  conversations: new Map(),
  view: null,
  cursor: 0,
  generation: 0,
  poll: null,
};

// ---------- banners ----------

function banner(text, kind = "error") {
  const el = h(
    "div",
    { class: `banner banner-${kind}`, testid: `${kind}-banner`, role: kind === "error" ? "alert" : "status" },
    h("span", { class: "banner-text" }, text),
    h("button", { type: "button", class: "icon-button", "aria-label": "Dismiss", onclick: () => el.remove() }, "×"),
  );
  $("banners").append(el);
  if (kind !== "error") setTimeout(() => el.remove(), 15000);
  return el;
}

async function call(path, body) {
  try {
    const answer = await api.post(path, body);
    if (answer.warning) banner(answer.warning, "warning");
    return answer;
  } catch (error) {
    banner(String(error.message || error));
    throw error;
  }
}

// ---------- what is where ----------

const userName = (id) => page.users.get(id)?.real_name ?? null;
const channelName = (id) => page.conversations.get(id)?.name ?? null;
const currentChannel = () => (page.view?.kind === "app" ? page.state.app.dm : page.view?.id);
const messageShortcuts = () => page.state.app.shortcuts.filter((s) => s.type === "message");
const globalShortcuts = () => page.state.app.shortcuts.filter((s) => s.type === "global");

function messageCtx() {
  return {
    users: page.users,
    userList: page.state.users,
    channelList: page.state.channels,
    bot: page.state.bot,
    appName: page.state.app.name,
    userName,
    channelName,
    messageShortcuts: messageShortcuts(),
    act: (message, element, block, choice) =>
      call("action", {
        channel: message.channel,
        message_ts: message.ts,
        block_id: block.block_id,
        action_id: element.action_id,
        ...choice,
      }).catch(() => {}),
    loadOptions: (message, element, block, typed) =>
      api.post("options", {
        channel: message.channel,
        message_ts: message.ts,
        block_id: block.block_id,
        action_id: element.action_id,
        value: typed,
      }),
    runShortcut: (message, shortcut) =>
      call("message-shortcut", {
        channel: message.channel,
        message_ts: message.ts,
        callback_id: shortcut.callback_id,
      }).catch(() => {}),
    dismiss: (message) => {
      store.dismiss(message);
      drawContent();
    },
  };
}

const modals = new Modals($("modal-root"), {
  textCtx: () => ({ userName, channelName, users: page.state.users, channels: page.state.channels }),
  submit: (view, values) => call("view-submit", { view_id: view.id, values }),
  close: (view, all) => call("view-close", { view_id: view.id, all }).catch(() => {}),
  act: (view, element, block, choice, values) =>
    call("action", {
      view_id: view.id,
      block_id: block.block_id,
      action_id: element.action_id,
      values,
      ...choice,
    }).catch(() => {}),
  loadOptions: (view, element, block, typed) =>
    api.post("options", { view_id: view.id, block_id: block.block_id, action_id: element.action_id, value: typed }),
});

// ---------- drawing ----------

function drawSidebar() {
  renderSidebar($("sidebar"), {
    state: page.state,
    view: page.view,
    unread: (id) => store.unread.get(id) || 0,
    open,
    switchUser,
  });
}

function drawHeader() {
  const header = clear($("main-header"));
  if (page.view.kind === "app") {
    const tab = (name, label) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          class: page.view.tab === name ? "tab active" : "tab",
          testid: `tab-${name}`,
          "aria-selected": String(page.view.tab === name),
          onclick: () => open({ kind: "app", tab: name }),
        },
        label,
      );
    header.append(
      h(
        "div",
        { class: "title-row" },
        h("h1", { class: "title" }, page.state.app.name),
        h("span", { class: "badge" }, "APP"),
      ),
      h("div", { class: "tabs", role: "tablist" }, tab("home", "Home"), tab("messages", "Messages")),
    );
    return;
  }
  const channel = page.conversations.get(page.view.id);
  header.append(
    h(
      "div",
      { class: "title-row" },
      h("h1", { class: "title", testid: "channel-title" }, icon(channel.is_private ? "lock" : "hash"), channel.name),
    ),
  );
  if (channel.topic) header.append(h("div", { class: "topic", testid: "channel-topic" }, channel.topic));
}

function drawHome(content) {
  const home = store.home;
  const body = home
    ? renderBlocks(home.blocks, {
        userName,
        channelName,
        users: page.state.users,
        channels: page.state.channels,
        act: (element, block, choice) =>
          call("action", { view_id: home.id, block_id: block.block_id, action_id: element.action_id, ...choice }).catch(
            () => {},
          ),
        loadOptions: (element, block, typed) =>
          api.post("options", {
            view_id: home.id,
            block_id: block.block_id,
            action_id: element.action_id,
            value: typed,
          }),
      })
    : h("div", { class: "empty", testid: "home-empty" }, `${page.state.app.name} has not published a Home tab yet.`);
  content.append(h("div", { class: "home-view", testid: "home-view", dataset: { viewId: home?.id || "" } }, body));
}

function drawContent({ scroll = false } = {}) {
  const content = $("main-content");
  const nearBottom = content.scrollHeight - content.scrollTop - content.clientHeight < 80;
  const top = content.scrollTop;
  clear(content);
  const composer = $("composer");
  if (page.view.kind === "app" && page.view.tab === "home") {
    drawHome(content);
    composer.hidden = true;
    return;
  }
  composer.hidden = false;
  content.append(renderConversation(store.conversation(currentChannel()), messageCtx()));
  content.scrollTop = scroll || nearBottom ? content.scrollHeight : top;
  const newest = scroll ? [...content.querySelectorAll("[data-testid=message]")].pop() : null;
  if (newest && newest.offsetHeight > content.clientHeight) content.scrollTop = newest.offsetTop - 8;
}

function open(view) {
  page.view = view;
  if (view.kind === "app") call("home-opened", { tab: view.tab }).catch(() => {});
  store.read(currentChannel());
  drawSidebar();
  drawHeader();
  drawContent({ scroll: true });
  updateComposer();
}

// ---------- composer ----------

const input = $("composer-input");
const hint = $("command-hint");
const mentions = new Mentions(input, $("mention-list"), () => ({
  channels: page.state?.channels ?? [],
  people: page.state?.users ?? [],
}));

function updateComposer() {
  const { name, command } = page.state.app;
  const where = page.view.kind === "app" ? name : `#${channelName(page.view.id)}`;
  input.placeholder = `Message ${where} (type ${command} to ask ${name})`;
}

function drawHint() {
  const text = input.value;
  const { command, usage_hint } = page.state.app;
  const show = text.startsWith("/") && !text.includes(" ") && command.startsWith(text);
  hint.hidden = !show;
  if (show) {
    clear(hint).append(
      h(
        "button",
        {
          type: "button",
          class: "hint-item",
          testid: "command-hint-item",
          onclick: () => {
            input.value = `${command} `;
            input.focus();
            drawHint();
          },
        },
        h("span", { class: "hint-command" }, command),
        h("span", { class: "hint-usage" }, usage_hint),
      ),
    );
  }
}

async function send() {
  const text = input.value;
  if (!text.trim()) return;
  const channel = currentChannel();
  input.value = "";
  drawHint();
  mentions.close();
  $("composer").classList.add("busy");
  try {
    await call(text.trim().startsWith("/") ? "command" : "message", { channel, text: text.trim() });
  } catch {
    input.value = text;
  } finally {
    $("composer").classList.remove("busy");
  }
}

input.addEventListener("keydown", (event) => {
  if (mentions.handleKey(event)) return;
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
input.addEventListener("input", drawHint);
$("composer-send").addEventListener("click", send);
$("shortcuts-button").addEventListener("click", (event) => {
  event.stopPropagation();
  showMenu(
    event.currentTarget,
    globalShortcuts().map((shortcut) => ({
      label: shortcut.name,
      description: shortcut.description || page.state.app.name,
      testid: `shortcut-${shortcut.callback_id}`,
      run: () => call("global-shortcut", { callback_id: shortcut.callback_id }).catch(() => {}),
    })),
    { testid: "shortcuts-menu", align: "left" },
  );
});

// ---------- the event feed ----------

function applyEvents(events) {
  const changed = store.apply(events, { current: currentChannel(), me: page.state.user, replay: page.cursor === 0 });
  if (changed.modals) modals.render(store.modals);
  const here = changed.channels.has(currentChannel()) && !(page.view.kind === "app" && page.view.tab === "home");
  if (here || (changed.home && page.view.kind === "app" && page.view.tab === "home"))
    drawContent({ scroll: changed.arrived.has(currentChannel()) });
  if ([...changed.channels].some((id) => id !== currentChannel())) drawSidebar();
}

function connected(ok) {
  document.body.classList.toggle("offline", !ok);
  $("connection").hidden = ok;
}

async function follow(generation) {
  while (generation === page.generation) {
    page.poll = new AbortController();
    try {
      const batch = await api.get(`events?cursor=${page.cursor}`, { signal: page.poll.signal });
      if (generation !== page.generation) return;
      if (batch.reset) {
        start();
        return;
      }
      applyEvents(batch.events);
      page.cursor = batch.cursor;
      connected(true);
      document.body.dataset.ready = "true";
    } catch (error) {
      if (generation !== page.generation) return;
      if (!(error instanceof api.UiError) && error.name !== "TypeError") console.error("applying events failed", error);
      connected(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

// ---------- skipping time ahead (the demo lets half an hour pass in a click) ----------

const SKIP_MINUTES = 30;

async function skipAhead() {
  const answer = await call("skip-ahead", { minutes: SKIP_MINUTES }).catch(() => null);
  if (answer) banner(`Skipped ${SKIP_MINUTES} minutes ahead: it is now ${longDateTime(new Date(answer.now))}.`, "info");
}

$("skip-ahead").addEventListener("click", skipAhead);

// ---------- starting, and switching who you are ----------

async function start() {
  const generation = ++page.generation;
  page.poll?.abort();
  delete document.body.dataset.ready;
  store.reset();
  page.cursor = 0;
  let state;
  try {
    state = await api.get("state");
  } catch (error) {
    banner(`The playground is not answering: ${error.message}`);
    setTimeout(start, 2000);
    return;
  }
  if (generation !== page.generation) return;
  page.state = state;
  setTimeZone(state.users.find((u) => u.id === state.user)?.tz);
  $("skip-ahead").hidden = !state.skip_ahead;
  api.actAs(state.user);
  page.users = new Map(state.users.map((u) => [u.id, u]));
  page.conversations = new Map([...state.channels, ...state.dms].map((c) => [c.id, c]));
  if (!page.view || (page.view.kind === "channel" && !page.conversations.has(page.view.id))) {
    page.view = { kind: "channel", id: state.channels[0]?.id ?? state.app.dm };
  }
  modals.render([]);
  open(page.view);
  follow(generation);
}

async function switchUser(user) {
  try {
    await call("user", { user });
    api.actAs(user);
  } finally {
    start();
  }
}

start();
