/** A settlement batch a merchant may name (SET's BatchID, an INTEGER 0..2^31-1; 0 is no batch). */
export const isBatchNumber = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 2147483647;
