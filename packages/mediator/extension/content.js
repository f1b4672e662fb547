/**
 * Runs on the pages of the shops the extension trusts (the manifest's matches; the worker checks
 * the exact origin). It looks for the purchase-start marker, the one element
 * `object[type="application/set-payment-initiation"]` with a `data` address, and asks the worker to
 * start the mediator for it. When the worker accepts, the wallet panel (an extension page, which
 * the shop's page cannot read) is shown over the page. Several markers are ambiguous: none starts.
 */
(() => {
  const markers = document.querySelectorAll('object[type="application/set-payment-initiation"]');
  if (markers.length !== 1) return;
  const data = markers[0].getAttribute("data");
  if (!data) return;
  let initiationUrl;
  try {
    // Against the page's own address: a <base> element the page chose does not redirect it.
    initiationUrl = new URL(data, location.href).href;
  } catch {
    return;
  }
  chrome.runtime.sendMessage({ kind: "set-marker", initiationUrl }, (reply) => {
    if (chrome.runtime.lastError || !reply || typeof reply.session !== "string") return;
    const frame = document.createElement("iframe");
    frame.id = "setlab-wallet-panel";
    frame.title = "SET wallet";
    frame.src = `${chrome.runtime.getURL("panel.html")}#${reply.session}`;
    frame.style.cssText =
      "position:fixed;right:16px;bottom:16px;width:380px;height:460px;border:2px solid #1d3557;" +
      "border-radius:8px;background:#fff;z-index:2147483647;box-shadow:0 4px 16px rgba(0,0,0,.3)";
    document.documentElement.appendChild(frame);
  });
})();
