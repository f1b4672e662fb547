import { buildPReqDualSigned, nodeProvider, type schema, wrapMessage } from "@setlab/protocol";
import { purchaseFixture } from "@setlab/protocol/testing";
import {
  allTlvs,
  carriedCaCertificates,
  flipByte,
  indexOfBytes,
  overwrite,
  positionClasses,
  sampleOffsets,
  seededRandom,
  tlvAt,
  tlvTree,
} from "./der";

const p = nodeProvider();

async function realPReq(): Promise<{ der: Uint8Array; pReq: schema.PReqDualSigned }> {
  const f = await purchaseFixture(p);
  const built = await buildPReqDualSigned(p, f.input);
  const t = f.input.oiData.transIDs;
  const der = wrapMessage(
    { type: "purchaseRequest", value: { type: "pReqDualSigned", value: built.pReq } },
    { rrpid: f.input.oiData.rrpid, lid_C: t.lid_C, lid_M: t.lid_M, xid: t.xid },
    { date: new Date() },
  );
  return { der, pReq: built.pReq };
}

describe("DER walk and position classes", () => {
  it("walks a real PReq: every element's bytes lie inside its parent, the root spans the message", async () => {
    const { der } = await realPReq();
    const root = tlvTree(der);
    expect(root.start).toBe(0);
    expect(root.end).toBe(der.length);
    for (const node of allTlvs(root))
      for (const child of node.children) {
        expect(child.start).toBeGreaterThanOrEqual(node.contentStart);
        expect(child.end).toBeLessThanOrEqual(node.end);
      }
    expect(tlvAt(der, 0).start).toBe(root.contentStart);
  });

  it("refuses bytes whose framing is broken (a length past the end)", () => {
    expect(() => tlvTree(Uint8Array.of(0x30, 0x05, 0x02, 0x01, 0x00))).toThrow(/length/);
    expect(() => tlvAt(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00), 1)).toThrow(/no element 1/);
  });

  it("finds the dual signature's value and the PI envelope's key block, outside the header", async () => {
    const { der, pReq } = await realPReq();
    const c = positionClasses(der);
    expect(c.signature).toHaveLength(1);
    const [sigStart, sigEnd] = c.signature[0];
    expect(sigEnd - sigStart).toBeGreaterThanOrEqual(256);
    expect(sigStart).toBeGreaterThanOrEqual(c.header[1]);
    // The signature value lies inside PISignature, the key block inside the PI envelope.
    const env = indexOfBytes(der, pReq.piDualSigned.exPIData);
    expect(env).toBeGreaterThan(0);
    expect(c.envelope.length).toBeGreaterThanOrEqual(1);
    for (const [s, e] of c.envelope) {
      expect(s).toBeGreaterThanOrEqual(env);
      expect(e).toBeLessThanOrEqual(env + pReq.piDualSigned.exPIData.length);
    }
    expect(sigStart < env || sigStart >= env + pReq.piDualSigned.exPIData.length).toBe(true);
  });

  it("finds the CA certificates a PReq carries, not the signer's own, not in a message without SignedData", async () => {
    const f = await purchaseFixture(p);
    const built = await buildPReqDualSigned(p, f.input);
    const der = built.der;
    const cas = carriedCaCertificates(der);
    const chain = f.input.cardholder.chain ?? [];
    // The certificates travel sorted (a SET OF): which are the CAs is told by the signer's sid.
    const found = cas.map(([s, e]) => Buffer.from(der.subarray(s, e)).toString("hex")).sort();
    expect(found).toEqual(chain.map((c) => Buffer.from(c).toString("hex")).sort());
    expect(indexOfBytes(der, f.input.cardholder.certificate)).toBeGreaterThan(0);
    expect(carriedCaCertificates(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))).toEqual([]);
  });

  it("flips exactly one byte, and refuses an offset outside the message", () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const flipped = flipByte(bytes, 1);
    expect([...flipped]).toEqual([1, 3, 3]);
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(() => flipByte(bytes, 3)).toThrow(RangeError);
    expect([...overwrite(bytes, 1, Uint8Array.of(9, 9))]).toEqual([1, 9, 9]);
    expect(() => overwrite(bytes, 2, Uint8Array.of(9, 9))).toThrow(RangeError);
  });

  it("samples distinct offsets in range, never inside an excluded span, reproducibly per seed", () => {
    const a = sampleOffsets([10, 60], 12, seededRandom(7), [[20, 40]]);
    const b = sampleOffsets([10, 60], 12, seededRandom(7), [[20, 40]]);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(12);
    for (const o of a) {
      expect(o).toBeGreaterThanOrEqual(10);
      expect(o).toBeLessThan(60);
      expect(o >= 20 && o < 40).toBe(false);
    }
  });
});
