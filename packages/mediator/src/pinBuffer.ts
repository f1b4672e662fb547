/** The PIN as a buffer the mediator owns and wipes once VERIFY_PIN is answered. */
import { PurchaseStop } from "./cardAnswers";

/** Digits only, 4 to 12 of them: anything else is refused here, and the buffer wiped. */
export function pinBuffer(pin: string | Uint8Array): Uint8Array {
  const bytes = typeof pin === "string" ? new Uint8Array(Buffer.from(pin, "latin1")) : pin;
  let digits = bytes.length >= 4 && bytes.length <= 12;
  for (const b of bytes) if (b < 0x30 || b > 0x39) digits = false;
  if (!digits) {
    bytes.fill(0);
    throw new PurchaseStop("refused", "the PIN must be 4 to 12 digits");
  }
  return bytes;
}
