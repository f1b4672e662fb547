/** The one error type the card-link codec throws: it names the status word a card answers with. */
export class CardLinkError extends Error {
  override readonly name = "CardLinkError";
  constructor(
    /** The status word that reports this failure (6700 bad length, 6A80 bad data, 6E00 wrong CLA). */
    readonly sw: number,
    message: string,
  ) {
    super(message);
  }
}
