// What the client knows, folded from the workspace's events: messages per conversation (ephemeral
// ones included for this person), the modal stack and the app's Home tab.

export function compareTs(a, b) {
  const [ai, af = ""] = String(a).split(".");
  const [bi, bf = ""] = String(b).split(".");
  return ai.length - bi.length || ai.localeCompare(bi) || af.padEnd(6, "0").localeCompare(bf.padEnd(6, "0"));
}

export class Store {
  constructor() {
    this.reset();
  }

  reset() {
    this.messages = new Map();
    this.modals = [];
    this.home = null;
    this.unread = new Map();
    this.dismissed = new Set();
  }

  channel(id) {
    if (!this.messages.has(id)) this.messages.set(id, new Map());
    return this.messages.get(id);
  }

  // Apply a batch; returns what changed: { channels, arrived (new messages): Sets of ids, modals, home: bool }.
  apply(events, { current, me, replay = false }) {
    const changed = { channels: new Set(), arrived: new Set(), modals: false, home: false };
    for (const event of events) {
      const data = event.data || {};
      switch (event.kind) {
        case "message":
        case "ephemeral":
        case "message_changed": {
          const messages = this.channel(data.channel);
          const isNew = !messages.has(data.ts);
          messages.set(data.ts, { ...data, ephemeral: Boolean(data.ephemeral) });
          changed.channels.add(data.channel);
          if (isNew) changed.arrived.add(data.channel);
          if (isNew && !replay && data.channel !== current && data.user !== me)
            this.unread.set(data.channel, (this.unread.get(data.channel) || 0) + 1);
          break;
        }
        case "message_deleted":
          this.channel(data.channel).delete(data.ts);
          changed.channels.add(data.channel);
          break;
        case "view_opened":
          this.modals = [data];
          changed.modals = true;
          break;
        case "view_pushed":
          this.modals = [...this.modals, data];
          changed.modals = true;
          break;
        case "view_updated":
          if (this.home && this.home.id === data.id) {
            this.home = data;
            changed.home = true;
          } else {
            this.modals = this.modals.map((view) => (view.id === data.id ? data : view));
            changed.modals = true;
          }
          break;
        case "view_closed":
          this.modals = this.modals.filter((view) => view.id !== data.view_id);
          changed.modals = true;
          break;
        case "home_published":
          this.home = data;
          changed.home = true;
          break;
        default:
          break;
      }
    }
    return changed;
  }

  // Top-level messages oldest first, each with its thread replies.
  conversation(id) {
    const all = [...this.channel(id).values()].filter((m) => !this.dismissed.has(`${m.channel}/${m.ts}`));
    all.sort((a, b) => compareTs(a.ts, b.ts));
    const tops = all.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    const replies = new Map();
    for (const m of all) {
      if (m.thread_ts && m.thread_ts !== m.ts) replies.set(m.thread_ts, [...(replies.get(m.thread_ts) || []), m]);
    }
    return tops.map((message) => ({ message, replies: replies.get(message.ts) || [] }));
  }

  dismiss(message) {
    this.dismissed.add(`${message.channel}/${message.ts}`);
  }

  read(channel) {
    this.unread.delete(channel);
  }
}
