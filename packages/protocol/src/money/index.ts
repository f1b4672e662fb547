export {
  type CurrencyAmountValue,
  formatCurrencyAmount,
  type MinorUnitsResult,
  sameMinorUnits,
  toMinorUnits,
} from "./amount";
export { type Currency, currencyByAlpha, currencyByCode } from "./iso4217";
