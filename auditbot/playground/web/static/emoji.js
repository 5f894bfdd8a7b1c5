// The emoji shortcodes the page knows (a small common set); unknown ones stay as typed, like :this_one:.

const EMOJI = {
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  x: "❌",
  warning: "⚠️",
  hourglass_flowing_sand: "⏳",
  hourglass: "⌛",
  mag: "🔍",
  mag_right: "🔎",
  lock: "🔒",
  unlock: "🔓",
  key: "🔑",
  bell: "🔔",
  no_bell: "🔕",
  rotating_light: "🚨",
  fire: "🔥",
  eyes: "👀",
  wave: "👋",
  tada: "🎉",
  thumbsup: "👍",
  "+1": "👍",
  thumbsdown: "👎",
  "-1": "👎",
  information_source: "ℹ️",
  question: "❓",
  exclamation: "❗",
  zap: "⚡",
  clock1: "🕐",
  calendar: "📆",
  date: "📅",
  page_facing_up: "📄",
  inbox_tray: "📥",
  outbox_tray: "📤",
  memo: "📝",
  bust_in_silhouette: "👤",
  busts_in_silhouette: "👥",
  shield: "🛡️",
  robot_face: "🤖",
  gear: "⚙️",
  link: "🔗",
  globe_with_meridians: "🌐",
  red_circle: "🔴",
  large_green_circle: "🟢",
  large_yellow_circle: "🟡",
  large_blue_circle: "🔵",
  arrow_right: "➡️",
  arrow_left: "⬅️",
  sparkles: "✨",
  bulb: "💡",
  no_entry: "⛔",
  no_entry_sign: "🚫",
  clipboard: "📋",
  bar_chart: "📊",
  chart_with_upwards_trend: "📈",
  slightly_smiling_face: "🙂",
  smile: "😄",
  thinking_face: "🤔",
};

export function emojiFor(name) {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : null;
}

// Text with :shortcodes: replaced by the emoji they name.
export function emojify(text) {
  return String(text).replace(/:([a-z0-9_+\-]+):/g, (whole, name) => emojiFor(name) ?? whole);
}
