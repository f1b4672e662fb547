/**
 * The extension's service worker: the only part that may start the mediator. A content script's
 * marker starts one native host (connectNative, patent claim 3) when the page's exact origin is in
 * trust.json and the initiation object is on that origin; an order page's inquiry marker starts one
 * the same way, for the card's inquiry about that purchase. It then relays between the host and
 * the wallet panel of that purchase, and sends the tab to the shop's result page when the buyer
 * asks. `decisions` records what it did, without personal data (tests read it).
 */
const hostName = "org.setlab.mediator";
const protocol = "setlab-native/1";
const panelUrl = chrome.runtime.getURL("panel.html");

/** Purchase id (in the panel's URL fragment) to its state. */
const sessions = new Map();
/** {origin, decision} per marker seen, in order. */
self.decisions = [];

let trust;
async function trustedOrigins() {
  if (!trust) trust = fetch(chrome.runtime.getURL("trust.json")).then((r) => r.json());
  const t = await trust;
  return Array.isArray(t.origins) ? t.origins : [];
}

function toPanel(session, message) {
  // The buyer closed the tab: the purchase runs to its end without anyone to tell.
  if (session.panelGone) return;
  if (session.panel) session.panel.postMessage(message);
  else session.pending.push(message);
}

async function startPurchase(message, sender) {
  const origin = sender.origin;
  const decide = (decision) => {
    // The latest hundred are enough to see what happened; a page reloading forever adds no more.
    if (self.decisions.length >= 100) self.decisions.shift();
    self.decisions.push({ origin, decision });
    return decision;
  };
  if (!sender.tab || sender.frameId !== 0) return decide("refused: not a top-level page");
  if (!(await trustedOrigins()).includes(origin)) return decide("refused: untrusted origin");
  // Two markers are ambiguous: which order would the buyer be paying?
  if (message.markers !== 1) return decide("refused: not exactly one marker");
  let url;
  try {
    url = new URL(message.initiationUrl);
  } catch {
    return decide("refused: not a URL");
  }
  if (url.origin !== origin) return decide("refused: initiation object on another origin");
  const inquiry = message.purpose === "inquiry";
  if (!inquiry && message.purpose !== "purchase") return decide("refused: unknown marker");
  // The XID names the purchase the card is asked about; the host checks it again.
  if (inquiry && !/^[0-9a-fA-F]{40}$/.test(String(message.xid))) return decide("refused: no XID");
  const id = crypto.randomUUID();
  const host = chrome.runtime.connectNative(hostName);
  const session = { host, tabId: sender.tab.id, origin, panel: undefined, pending: [], ended: false };
  sessions.set(id, session);
  host.onMessage.addListener((m) => {
    if (m && m.type === "outcome") {
      session.ended = true;
      session.returnUrl = m.returnUrl;
    }
    toPanel(session, m);
  });
  host.onDisconnect.addListener(() => {
    if (!session.ended) {
      session.ended = true;
      const why = chrome.runtime.lastError ? chrome.runtime.lastError.message : "it ended";
      toPanel(session, {
        type: "outcome",
        outcome: "failed",
        message: `The SET mediator stopped before the payment ended (${why}).`,
      });
    }
  });
  host.postMessage({
    type: "start",
    protocol,
    initiationUrl: url.href,
    pageOrigin: origin,
    ...(inquiry ? { purpose: "inquiry", xid: message.xid } : {}),
  });
  decide(inquiry ? "started: inquiry" : "started");
  return { session: id };
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (message?.kind !== "set-marker" || typeof message.initiationUrl !== "string") return false;
  startPurchase(message, sender).then(
    (r) => sendResponse(typeof r === "string" ? {} : r),
    () => sendResponse({}),
  );
  return true;
});

chrome.runtime.onConnect.addListener((port) => {
  const session = sessions.get(port.name);
  // Only this extension's own panel page, opened for this purchase, speaks for the buyer.
  if (!session || session.panel || port.sender.url !== `${panelUrl}#${port.name}`) {
    port.disconnect();
    return;
  }
  session.panel = port;
  for (const m of session.pending.splice(0)) port.postMessage(m);
  port.onMessage.addListener((m) => {
    if (!m) return;
    if ((m.type === "pay" || m.type === "inquire" || m.type === "cancel") && !session.ended)
      session.host.postMessage(m);
    else if (m.type === "confirmation" && !session.ended)
      // Only the yes or no itself goes to the host.
      session.host.postMessage({ type: "confirmation", confirmed: m.confirmed === true });
    else if (m.type === "continue" && session.returnUrl) {
      const target = new URL(session.returnUrl);
      // The result page must belong to the shop that started the purchase.
      if (target.origin === session.origin) chrome.tabs.update(session.tabId, { url: target.href });
    }
  });
  port.onDisconnect.addListener(() => {
    session.panelGone = true;
    if (!session.ended) session.host.postMessage({ type: "cancel" });
    sessions.delete(port.name);
  });
});
