/**
 * SET's dates (GeneralizedTime in headers and messages) and X.509's times carry whole seconds. A
 * date is truncated once, where it is made, so that what is stored, signed and encoded is the same.
 */
export const wholeSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);
