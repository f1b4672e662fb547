import { checkHeaderDate, defaultMaxClockSkewMs } from "./headerDate";

describe("header date (digest 6 rule 3)", () => {
  test("within the skew passes; beyond it either way is messageTooOld or messageTooNew", () => {
    const now = new Date("2026-11-26T00:00:00Z");
    expect(() => checkHeaderDate(new Date(now.getTime() - defaultMaxClockSkewMs), now)).not.toThrow();
    expect(() => checkHeaderDate(new Date(now.getTime() + defaultMaxClockSkewMs), now)).not.toThrow();
    expect(() => checkHeaderDate(new Date(now.getTime() - defaultMaxClockSkewMs - 1000), now)).toThrow(
      expect.objectContaining({ code: "messageTooOld" }),
    );
    expect(() => checkHeaderDate(new Date(now.getTime() + defaultMaxClockSkewMs + 1000), now)).toThrow(
      expect.objectContaining({ code: "messageTooNew" }),
    );
  });

  test("the receiver's own skew replaces the default", () => {
    const now = new Date("2026-11-26T00:00:00Z");
    expect(() => checkHeaderDate(new Date(now.getTime() - 2000), now, 1000)).toThrow(
      expect.objectContaining({ code: "messageTooOld" }),
    );
  });
});
