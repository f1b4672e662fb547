/**
 * Runs on the pages of the shops the extension trusts (the manifest's matches). It only looks: when
 * the page has a purchase-start marker, `object[type="application/set-payment-initiation"]`, or an
 * order page's inquiry marker, `object[type="application/set-payment-inquiry"]` (with the
 * purchase's XID in `data-xid`), it tells the worker how many markers of either kind, which kind
 * the first is, and its `data` resolved against the page's address, and the worker decides (exact
 * origin, one marker, the object on the page's origin). When the worker accepts, the wallet panel
 * (an extension page, which the shop's page cannot read) is shown over the page.
 */
(() => {
  const markers = document.querySelectorAll(
    'object[type="application/set-payment-initiation"], object[type="application/set-payment-inquiry"]',
  );
  if (markers.length === 0) return;
  const inquiry = markers[0].getAttribute("type") === "application/set-payment-inquiry";
  // Left empty when the marker names nothing usable: the worker refuses it.
  let initiationUrl = "";
  const data = markers[0].getAttribute("data");
  if (data)
    try {
      // Against the page's own address: a <base> element the page chose does not redirect it.
      initiationUrl = new URL(data, location.href).href;
    } catch {}
  const marker = {
    kind: "set-marker",
    markers: markers.length,
    initiationUrl,
    purpose: inquiry ? "inquiry" : "purchase",
    ...(inquiry ? { xid: markers[0].getAttribute("data-xid") ?? "" } : {}),
  };
  chrome.runtime.sendMessage(marker, (reply) => {
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
