/** What the example shop sells: prices in yen (ISO 4217 392, no minor unit). */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly price: number;
}

export const currency = 392;

export const products: readonly Product[] = [
  { id: "sticker", name: "SET Lab sticker", price: 300 },
  { id: "mug", name: "SET Lab mug", price: 1800 },
  { id: "shirt", name: "SET Lab T-shirt", price: 3200 },
];
