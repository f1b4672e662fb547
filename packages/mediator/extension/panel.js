/**
 * The wallet panel: an extension page shown over the shop's checkout page, so the shop's scripts
 * cannot read what the buyer types here (the PIN). It shows the order the mediator read, takes the
 * card and PIN, then shows progress, "confirm on your phone" and the outcome. Under the second
 * embodiment it also shows the order the card marked non-forward and sends the buyer's answer.
 * Opened from an order page's inquiry marker, it asks for the card and PIN to have the card ask
 * the shop how that order ended, and shows the answer the card verified.
 */
const session = location.hash.slice(1);
const port = chrome.runtime.connect({ name: session });
const $ = (id) => document.getElementById(id);
const status = (text) => {
  $("status").textContent = text;
};
let cards = [];
let inquiry = false;

port.onMessage.addListener((m) => {
  if (m.type === "order") {
    inquiry = m.purpose === "inquiry";
    $("order").hidden = false;
    $("order-merchant").textContent = m.merchantOrigin;
    $("order-amount").textContent = m.amount;
    $("order-description").textContent = m.description;
    $("order-profile").textContent = m.profile;
    $("order-terms-line").hidden = !m.terms;
    $("order-terms").textContent = m.terms ?? "";
    if (inquiry) {
      $("order-asks").textContent = "order for";
      $("pay").textContent = "Ask my card";
      $("inquiry-note").hidden = false;
    }
    cards = m.cards;
    if (cards.length > 0)
      for (const c of cards) {
        const option = document.createElement("option");
        option.value = c;
        option.textContent = c;
        $("card").append(option);
      }
    else {
      $("card").hidden = true;
      $("card-id").hidden = false;
    }
    status(
      inquiry
        ? "Choose the card that paid and type its PIN: it asks the shop how this order ended."
        : "Choose the card and type its PIN.",
    );
  } else if (m.type === "progress") {
    const item = document.createElement("li");
    item.textContent = m.text;
    $("progress").append(item);
    $("phone").hidden = !m.onPhone;
    status(m.text);
  } else if (m.type === "confirm-order") {
    // The card's own reading of the order replaces the shop's summary above it.
    $("order").hidden = true;
    $("confirm").hidden = false;
    $("confirm-merchant").textContent = m.merchant;
    $("confirm-description").textContent = m.description;
    $("confirm-amount").textContent = m.amount;
    status("Check the order and confirm it.");
  } else if (m.type === "outcome") {
    $("order").hidden = true;
    $("confirm").hidden = true;
    $("phone").hidden = true;
    $("outcome").hidden = false;
    $("outcome").dataset.outcome = m.outcome;
    $("outcome-message").textContent = m.message;
    $("continue").hidden = !m.returnUrl;
    const answered = m.outcome !== "refused" && m.outcome !== "failed";
    status(inquiry ? (answered ? "Your card has answered." : "No verified answer.") : "Payment ended.");
  }
});

$("pay-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const cardId = cards.length > 0 ? $("card").value : $("card-id").value.trim();
  const pin = $("pin").value;
  $("pin").value = "";
  $("pay").disabled = true;
  $("cancel").disabled = true;
  port.postMessage({ type: inquiry ? "inquire" : "pay", cardId, pin });
  status(inquiry ? "Asking…" : "Paying…");
});
const answer = (confirmed) => {
  $("confirm-yes").disabled = true;
  $("confirm-no").disabled = true;
  $("confirm").hidden = true;
  port.postMessage({ type: "confirmation", confirmed });
  status(confirmed ? "Order confirmed." : "Order not confirmed.");
};
$("confirm-yes").addEventListener("click", () => answer(true));
$("confirm-no").addEventListener("click", () => answer(false));
$("cancel").addEventListener("click", () => port.postMessage({ type: "cancel" }));
$("continue").addEventListener("click", () => port.postMessage({ type: "continue" }));
