/** A Mermaid sequence diagram of one run: the parties, every SET message, and the outcome. */
import type { CapturedMessage } from "./capture";

const participants: Record<string, string> = {
  card: "Card (phone)",
  cardholder: "Card (phone)",
  mediator: "Mediator (PC)",
  merchant: "Merchant",
  gateway: "Gateway",
  issuer: "Issuer",
};

const id = (party: string) => party.replace(/[^A-Za-z0-9]/g, "");

export function sequenceDiagram(
  messages: readonly CapturedMessage[],
  outcome: string,
  steps: Record<string, string> = {},
): string {
  const order = ["card", "mediator", "merchant", "gateway"];
  const lines = ["sequenceDiagram", "  autonumber"];
  for (const p of order) lines.push(`  participant ${id(p)} as ${participants[p]}`);
  for (const m of messages) {
    const step = steps[m.type] ? ` (${steps[m.type]})` : "";
    const from = m.from === "cardholder" ? "card" : m.from;
    const to = m.to === "cardholder" ? "card" : m.to;
    if (from === "card" || to === "card") {
      // The card's messages travel through the mediator on the PC.
      if (from === "card") {
        lines.push(`  ${id("card")}->>${id("mediator")}: ${m.type}${step}`);
        lines.push(`  ${id("mediator")}->>${id(to)}: ${m.type} (${m.der.length} B)`);
      } else {
        lines.push(`  ${id(from)}->>${id("mediator")}: ${m.type}${step} (${m.der.length} B)`);
        lines.push(`  ${id("mediator")}->>${id("card")}: ${m.type}`);
      }
    } else lines.push(`  ${id(from)}->>${id(to)}: ${m.type}${step} (${m.der.length} B)`);
  }
  lines.push(`  Note over ${id("card")},${id("gateway")}: ${outcome.replace(/[;:#]/g, " ")}`);
  return `${lines.join("\n")}\n`;
}
