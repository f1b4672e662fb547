import { type E1Request, E1Requests } from "./e1Requests";

const request = (orderId: number, xidByte: number, at = 0): E1Request => ({
  embodiment: 1,
  orderId,
  lid_M: Uint8Array.of(orderId),
  xid: new Uint8Array(20).fill(xidByte),
  chall_M: new Uint8Array(20),
  purchAmt: { currency: 392, amount: 1, amtExp10: 0 },
  brands: ["Visa"],
  at,
});

describe("E1Requests", () => {
  test("one open request per order: a new one replaces the order's earlier one", () => {
    const r = new E1Requests();
    r.issue(request(1, 1));
    r.issue(request(1, 2));
    expect(r.find(new Uint8Array(20).fill(1), 0)).toBeUndefined();
    expect(r.find(new Uint8Array(20).fill(2), 0)?.orderId).toBe(1);
    expect(r.size).toBe(1);
  });

  test("find leaves it open, take closes it", () => {
    const r = new E1Requests();
    r.issue(request(1, 1));
    const xid = new Uint8Array(20).fill(1);
    expect(r.find(xid, 0)).toBeDefined();
    expect(r.take(xid, 0)).toBeDefined();
    expect(r.take(xid, 0)).toBeUndefined();
  });

  test("bounded: beyond the limit the oldest goes; past its age a request is gone", () => {
    const r = new E1Requests(2, 1000);
    r.issue(request(1, 1));
    r.issue(request(2, 2));
    r.issue(request(3, 3));
    expect(r.size).toBe(2);
    expect(r.find(new Uint8Array(20).fill(1), 0)).toBeUndefined();
    expect(r.find(new Uint8Array(20).fill(3), 1000)).toBeDefined();
    expect(r.find(new Uint8Array(20).fill(3), 1001)).toBeUndefined();
    expect(r.take(new Uint8Array(20).fill(2), 1001)).toBeUndefined();
  });
});
