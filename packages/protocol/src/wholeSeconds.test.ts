import { wholeSeconds } from "./wholeSeconds";

describe("wholeSeconds", () => {
  it("drops the milliseconds, towards the past, before and after 1970", () => {
    expect(wholeSeconds(new Date("2026-12-06T07:25:23.999Z")).toISOString()).toBe("2026-12-06T07:25:23.000Z");
    expect(wholeSeconds(new Date("1969-12-31T23:59:59.500Z")).toISOString()).toBe("1969-12-31T23:59:59.000Z");
  });

  it("keeps a whole second as it is", () => {
    const d = new Date("2026-01-01T00:00:00.000Z");
    expect(wholeSeconds(d).getTime()).toBe(d.getTime());
  });
});
