// Talking to the playground's /ui/ endpoints. A failed request rejects with the server's message.

export class UiError extends Error {}

// Who this tab acts as; other tabs may act as someone else.
let actingAs = null;

export function actAs(user) {
  actingAs = user;
}

function headers(extra) {
  return actingAs ? { ...extra, "X-Playground-User": actingAs } : extra;
}

async function decode(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok || !body || body.ok === false) {
    throw new UiError(body?.error || `The playground answered HTTP ${response.status}.`);
  }
  return body;
}

export async function get(path, { signal } = {}) {
  return decode(
    await fetch(`/ui/${path}`, { headers: headers({ Accept: "application/json" }), signal, cache: "no-store" }),
  );
}

export async function post(path, body = {}) {
  const response = await fetch(`/ui/${path}`, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "application/json" }),
    body: JSON.stringify(body),
  });
  return decode(response);
}
