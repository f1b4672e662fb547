import Database from "better-sqlite3";
import { type TempStore, tempStore } from "../caFixture.test-helper";
import { CaError } from "../errors";
import type { IssuanceRecord } from "./caStore";
import { SqliteCaStore } from "./sqliteCaStore";

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const record = (over: Partial<IssuanceRecord> = {}): IssuanceRecord => ({
  serial: "0a0b",
  issuer: "ca1",
  profile: "gatewaySignature",
  subject: "CN=x",
  spkiSha256: "aa",
  thumb: "t1",
  notBefore: new Date("2026-01-01T00:00:00Z"),
  notAfter: new Date("2027-01-01T00:00:00Z"),
  der: Uint8Array.of(1, 2, 3),
  issuedAt: new Date("2026-01-01T00:00:00Z"),
  ...over,
});

const code = async (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof CaError ? e.reason : String(e)),
  );

describe("SqliteCaStore", () => {
  it("creates its schema in a WAL-mode file that a second connection reads", async () => {
    await t.store.recordIssuance(record());
    const raw = new Database(t.path, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    const reopened = new SqliteCaStore(t.path);
    const found = await reopened.findBySerial("0A0B");
    expect(found?.der).toEqual(Uint8Array.of(1, 2, 3));
    expect(found?.notAfter.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(found?.revokedAt).toBeUndefined();
    reopened.close();
  });

  it("refuses the same key twice from one issuer, allows it from another, and refuses a repeated serial", async () => {
    await t.store.recordIssuance(record());
    expect(await code(t.store.recordIssuance(record({ serial: "0c", thumb: "t2" })))).toBe("duplicateKey");
    await t.store.recordIssuance(record({ serial: "0d", thumb: "t3", issuer: "ca2" }));
    expect((await t.store.findBySpkiHash("aa")).length).toBe(2);
    expect((await t.store.findBySpkiHash("aa", "ca2")).map((r) => r.serial)).toEqual(["0d"]);
    expect(await code(t.store.recordIssuance(record({ spkiSha256: "bb", thumb: "t4" })))).toBe(
      "storeFailure",
    );
    expect((await t.store.listIssued("ca1")).length).toBe(1);
  });

  it("revokes once, lists revocations per issuer, and refuses unknown serials", async () => {
    await t.store.recordIssuance(record());
    await t.store.recordIssuance(record({ serial: "0e", thumb: "t5", spkiSha256: "cc", issuer: "ca2" }));
    const at = new Date("2026-06-01T00:00:00Z");
    const r = await t.store.revoke("0a0b", "keyCompromise", at);
    expect(r.revocationReason).toBe("keyCompromise");
    expect(await t.store.revokedBy("ca1")).toEqual([
      { serial: "0a0b", revokedAt: at, reason: "keyCompromise" },
    ]);
    expect(await t.store.revokedBy("ca2")).toEqual([]);
    expect(await code(t.store.revoke("0a0b", "superseded", at))).toBe("alreadyRevoked");
    expect(await code(t.store.revoke("ff", "superseded", at))).toBe("unknownSerial");
    expect((await t.store.findByThumb("t1"))?.revokedAt).toEqual(at);
  });

  it("counts per counter from 1 and keeps CRLs by issuer and thumb", async () => {
    expect(await t.store.nextNumber("crl:a")).toBe(1);
    expect(await t.store.nextNumber("crl:a")).toBe(2);
    expect(await t.store.nextNumber("crl:b")).toBe(1);
    const crl = {
      issuer: "a",
      number: 2,
      der: Uint8Array.of(9),
      thumb: "c2",
      thisUpdate: new Date("2026-01-01T00:00:00Z"),
      nextUpdate: new Date("2026-01-08T00:00:00Z"),
    };
    await t.store.recordCrl({ ...crl, number: 1, thumb: "c1" });
    await t.store.recordCrl(crl);
    expect((await t.store.latestCrl("a"))?.number).toBe(2);
    expect((await t.store.findCrlByThumb("c1"))?.number).toBe(1);
    expect(await t.store.latestCrl("b")).toBeUndefined();
    expect(await code(t.store.recordCrl(crl))).toBe("storeFailure");
  });

  it("keeps BCIs by brand and thumb, refusing a repeated sequence number", async () => {
    const bci = {
      brand: "Visa",
      sequenceNum: 1,
      der: Uint8Array.of(7),
      thumb: "b1",
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2026-01-08T00:00:00Z"),
    };
    await t.store.recordBci(bci);
    await t.store.recordBci({ ...bci, sequenceNum: 2, thumb: "b2" });
    expect((await t.store.latestBci("Visa"))?.thumb).toBe("b2");
    expect((await t.store.findBciByThumb("B1"))?.sequenceNum).toBe(1);
    expect(await t.store.latestBci("JCB")).toBeUndefined();
    expect(await code(t.store.recordBci({ ...bci, thumb: "b3" }))).toBe("storeFailure");
  });
});
