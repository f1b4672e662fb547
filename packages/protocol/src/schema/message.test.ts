import { decodeDer, encodeDer } from "../asn1/codec";
import { concatBytes, context, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";
import type { ErrorTBS } from "./error";
import {
  decodeMessage,
  decodeMessageShape,
  encodeMessage,
  Message,
  MessageHeader,
  type MessageWrapper,
} from "./message";
import type { PInitReq } from "./purchase";

const id = (byte: number, length = 20) => new Uint8Array(length).fill(byte);

const header: MessageHeader = {
  version: 1,
  revision: 0,
  date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  messageIDs: { lid_C: id(1, 8) },
  rrpid: id(4),
  swIdent: "SET Lab 0.1",
};

const pInitReq: PInitReq = {
  rrpid: id(4),
  language: "en",
  localID_C: id(1, 8),
  chall_C: id(5),
  brandID: "Visa",
  bin: "411111",
};

const wrapper: MessageWrapper = {
  messageHeader: header,
  message: { type: "purchaseInitRequest", value: pInitReq },
};

/** A wrapper assembled by hand around an arbitrary header and message TLV. */
const rawWrapper = (h: MessageHeader, messageTlv: Uint8Array) =>
  tlv(universal(16), true, concatBytes([encodeDer(MessageHeader, h), tlv(context(0), true, messageTlv)]));

/** Where the content of a TLV starts: after the identifier and the (short or long) length. */
const contentStart = (der: Uint8Array) => (der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2);

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof SetError) return e.code;
    throw e;
  }
  return undefined;
}

describe("encodeMessage / decodeMessage", () => {
  it("round-trips a wrapped PInitReq byte for byte", () => {
    const der = encodeMessage(wrapper);
    const back = decodeMessage(der);
    expect(back).toEqual(wrapper);
    expect(encodeMessage(back)).toEqual(der);
  });

  it("decodes from its own copy: the caller's bytes changed afterwards change nothing decoded", () => {
    const der = encodeMessage(wrapper);
    const back = decodeMessage(der);
    const rrpid = (back.message.value as PInitReq).rrpid;
    // The byte values are views on one private copy of the message, not on the caller's bytes.
    expect(rrpid.buffer).not.toBe(der.buffer);
    expect(back.messageHeader.rrpid?.buffer).toBe(rrpid.buffer);
    der.fill(0);
    expect(back).toEqual(wrapper);
  });

  it("wraps the message as [0] EXPLICIT around the alternative's own [n] EXPLICIT tag", () => {
    const der = encodeMessage(wrapper);
    const at = contentStart(der) + encodeDer(MessageHeader, header).length;
    expect(der[at]).toBe(0xa0); // message [0]
    const inner = der.subarray(at);
    expect(inner[contentStart(inner)]).toBe(0xa0); // purchaseInitRequest [0]
  });

  it("carries an Error under tag [999]", () => {
    const error: ErrorTBS = {
      errorCode: "decodingFailure",
      errorNonce: id(6),
      errorMsg: { type: "badWrapper", value: Uint8Array.of(1, 2, 3) },
    };
    const der = encodeMessage({
      messageHeader: header,
      message: { type: "error", value: { type: "unsignedError", value: error } },
    });
    const back = decodeMessage(der);
    expect(back.message).toEqual({ type: "error", value: { type: "unsignedError", value: error } });
    // [999] EXPLICIT: high-tag-number form bf 87 67.
    expect(Buffer.from(der).includes(Buffer.from([0xbf, 0x87, 0x67]))).toBe(true);
  });

  it("has an alternative for every SET 1.0 message: tags 0..31 and 999", () => {
    const numbers = (Message.tags ?? []).map((t) => t - context(0)).sort((a, b) => a - b);
    expect(numbers).toEqual([...Array.from({ length: 32 }, (_, i) => i), 999]);
  });

  it("refuses a critical wrapper extension it does not understand, and accepts it once understood", () => {
    const ext = { extnID: "1.3.6.1.4.1.32473.1.99", critical: true, extnValue: Uint8Array.of(0x05, 0x00) };
    const der = encodeMessage({ ...wrapper, mwExtensions: [ext] });
    expect(() => decodeMessage(der)).toThrow(expect.objectContaining({ code: "unrecognizedExtension" }));
    expect(decodeMessage(der, [ext.extnID]).mwExtensions).toHaveLength(1);
    const optional = encodeMessage({ ...wrapper, mwExtensions: [{ ...ext, critical: false }] });
    expect(decodeMessage(optional).mwExtensions).toHaveLength(1);
  });

  it("answers an unknown message type with messageNotSupported, not decodingFailure", () => {
    const unknown = tlv(context(32), true, Uint8Array.of(0x05, 0x00));
    expect(codeOf(() => decodeMessage(rawWrapper(header, unknown)))).toBe("messageNotSupported");
  });

  it("answers a known message type with a malformed body with decodingFailure", () => {
    const truncatedPInitReq = tlv(
      context(0),
      true,
      tlv(universal(16), true, encodeDer(MessageHeader, header)),
    );
    expect(codeOf(() => decodeMessage(rawWrapper(header, truncatedPInitReq)))).toBe("decodingFailure");
  });

  it("judges the version before the body: a version-2 message is versionTooNew whatever it carries", () => {
    const unknown = tlv(context(40), true, Uint8Array.of(0x05, 0x00));
    expect(codeOf(() => decodeMessage(rawWrapper({ ...header, version: 2 }, unknown)))).toBe("versionTooNew");
    expect(
      codeOf(() => decodeMessage(encodeMessage({ ...wrapper, messageHeader: { ...header, version: 0 } }))),
    ).toBe("versionTooOld");
  });

  it("answers bytes that are not DER with decodingFailure", () => {
    const der = encodeMessage(wrapper);
    expect(codeOf(() => decodeMessage(Uint8Array.from([...der, 0])))).toBe("decodingFailure");
    expect(codeOf(() => decodeMessage(der.subarray(0, der.length - 1)))).toBe("decodingFailure");
    const content = der.subarray(contentStart(der));
    const longLength = Uint8Array.from([
      0x30,
      0x83,
      0,
      content.length >> 8,
      content.length & 0xff,
      ...content,
    ]);
    expect(codeOf(() => decodeMessage(longLength))).toBe("decodingFailure");
  });

  it("decodeMessageShape: the header and the type, the body's DER untouched", () => {
    const der = encodeMessage(wrapper);
    const shape = decodeMessageShape(der);
    expect(shape.messageHeader).toEqual(header);
    expect(shape.type).toBe("purchaseInitRequest");
    expect(decodeDer(Message, shape.body)).toEqual(wrapper.message);
    const typeOf = (n: number) =>
      decodeMessageShape(rawWrapper(header, tlv(context(n), true, Uint8Array.of(0x05, 0x00)))).type;
    const types = [...Array.from({ length: 32 }, (_, n) => typeOf(n)), typeOf(999)];
    expect(new Set(types).size).toBe(33);
    expect(typeOf(999)).toBe("error");
    expect(typeOf(3)).toBe("purchaseResponse");
  });

  it("decodeMessageShape makes the wrapper's checks, and leaves a malformed body to whoever decodes it", () => {
    const unknown = tlv(context(32), true, Uint8Array.of(0x05, 0x00));
    expect(codeOf(() => decodeMessageShape(rawWrapper(header, unknown)))).toBe("messageNotSupported");
    expect(codeOf(() => decodeMessageShape(rawWrapper({ ...header, version: 2 }, unknown)))).toBe(
      "versionTooNew",
    );
    const der = encodeMessage(wrapper);
    expect(codeOf(() => decodeMessageShape(Uint8Array.from([...der, 0])))).toBe("decodingFailure");
    const ext = { extnID: "1.3.6.1.4.1.32473.1.99", critical: true, extnValue: Uint8Array.of(0x05, 0x00) };
    expect(codeOf(() => decodeMessageShape(encodeMessage({ ...wrapper, mwExtensions: [ext] })))).toBe(
      "unrecognizedExtension",
    );
    const truncated = tlv(context(0), true, tlv(universal(16), true, encodeDer(MessageHeader, header)));
    expect(decodeMessageShape(rawWrapper(header, truncated)).type).toBe("purchaseInitRequest");
  });
});
