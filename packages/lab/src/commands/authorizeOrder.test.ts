import { LabFailure } from "../labState";
import { advanceSecondsOf } from "./authorizeOrder";

describe("set-lab authorize --advance", () => {
  it("reads days and hours ahead", () => {
    expect(advanceSecondsOf("31d")).toBe(31 * 86_400);
    expect(advanceSecondsOf("12h")).toBe(12 * 3600);
    expect(advanceSecondsOf("3660d")).toBe(3660 * 86_400);
  });

  it("refuses nothing ahead, the past, other units and more than the gateway allows", () => {
    for (const text of ["0d", "-1d", "31", "31m", "1.5d", "3661d", "d", ""])
      expect(() => advanceSecondsOf(text)).toThrow(LabFailure);
  });
});
