import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeDer, encodeDer } from "../asn1/codec";
import { oid } from "../asn1/primitives";
import { DecodeError, ErrorCodes, SetError } from "../errors";
import { ErrorCode, ErrorMessage, ErrorTBS, ubBadWrapper } from "./error";
import { Std } from "./oids";

const id = (byte: number, length = 20) => new Uint8Array(length).fill(byte);

const tbs: ErrorTBS = {
  errorCode: "unrecognizedExtension",
  errorNonce: id(7),
  errorOID: "1.3.6.1.4.1.32473.1.99",
  errorThumb: { digestAlgorithm: { algorithm: Std.sha256 }, thumbprint: id(8, 32) },
  errorMsg: {
    type: "messageHeader",
    value: { version: 1, revision: 0, date: new Date(Date.UTC(2026, 0, 2)), swIdent: "peer 1.0" },
  },
};

describe("ErrorCode", () => {
  it("has in SetLab.asn exactly the names and numbers of errors.ts", () => {
    const text = readFileSync(resolve(__dirname, "../../asn1/SetLab.asn"), "utf8");
    const body = /^ErrorCode ::= ENUMERATED \{([^}]*)\}/m.exec(text)?.[1];
    expect(body).toBeDefined();
    const inModule = Object.fromEntries(
      [...(body ?? "").matchAll(/([A-Za-z]+)\((\d+)\)/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(inModule).toEqual({ ...ErrorCodes });
  });

  it("refuses a number outside the list", () => {
    expect(decodeDer(ErrorCode, Uint8Array.of(0x0a, 0x01, 22))).toBe("challengeMismatch");
    expect(() => decodeDer(ErrorCode, Uint8Array.of(0x0a, 0x01, 23))).toThrow(DecodeError);
    expect(() => decodeDer(ErrorCode, Uint8Array.of(0x0a, 0x01, 0))).toThrow(DecodeError);
  });
});

describe("ErrorTBS", () => {
  it("round-trips with every optional field, errorMsg under [2] EXPLICIT", () => {
    const der = encodeDer(ErrorTBS, tbs);
    expect(decodeDer(ErrorTBS, der)).toEqual(tbs);
    // errorOID as [0] primitive, errorMsg as [2] constructed around the CHOICE's [0].
    const oidTlv = encodeDer(oid(), tbs.errorOID ?? "");
    expect(Buffer.from(der).includes(Buffer.from([0x80, ...oidTlv.subarray(1)]))).toBe(true);
    expect(Buffer.from(der).toString("hex")).toMatch(/a2[0-9a-f]{2}a0/);
  });

  it("tells an absent errorOID and errorThumb from the errorMsg that follows them", () => {
    const bare: ErrorTBS = { errorCode: "decodingFailure", errorNonce: id(7), errorMsg: tbs.errorMsg };
    expect(decodeDer(ErrorTBS, encodeDer(ErrorTBS, bare))).toEqual(bare);
  });

  it("limits badWrapper to 20 000 octets", () => {
    const at = (n: number): ErrorTBS => ({
      ...tbs,
      errorMsg: { type: "badWrapper", value: new Uint8Array(n) },
    });
    expect(decodeDer(ErrorTBS, encodeDer(ErrorTBS, at(ubBadWrapper))).errorMsg.value).toHaveLength(
      ubBadWrapper,
    );
    expect(() => encodeDer(ErrorTBS, at(ubBadWrapper + 1))).toThrow(SetError);
  });

  it("travels signed or unsigned", () => {
    const unsigned = { type: "unsignedError", value: tbs } as const;
    expect(decodeDer(ErrorMessage, encodeDer(ErrorMessage, unsigned))).toEqual(unsigned);
  });
});
