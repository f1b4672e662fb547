/**
 * DER surgery on real envelopes (an AuthReq sealed with the lab PKI's keys): encoding the parsed
 * tree gives the same bytes, and each cut breaks opening with the gateway's key, which the uncut
 * envelope passes.
 */
import { decodeDer, encodeDer, openAuthReq, SetError, schema } from "@setlab/protocol";
import { AuthReqForger } from "./authReqForger";
import { encodeNode, encryptedContentOf, encryptedKeyOf, envelopeCuts, ivOf, parseDer } from "./derSurgery";
import { sharedLabPki } from "./labFixture";

jest.setTimeout(120_000);

let forger: AuthReqForger;

beforeAll(() => {
  forger = new AuthReqForger(sharedLabPki());
});

async function open(bytes: Uint8Array) {
  const w = schema.decodeMessage(bytes);
  if (w.message.type !== "authorizationRequest") throw new Error("not an AuthReq");
  const id = "visa/gateway/key-exchange";
  const decrypter = {
    certificate: forger.pki.certificate(id),
    privateKey: await forger.pki.privateKey(id, "keyEncipherment", forger.p),
  };
  return openAuthReq(forger.p, decrypter, w.message.value, {
    pinnedRoot: forger.pki.root(),
    at: new Date(),
    intermediates: forger.pki.entries
      .filter((e) => ["bca", "mca", "pca", "cca"].includes(e.role) && !e.id.startsWith("attack/"))
      .map((e) => forger.pki.certificate(e.id)),
  });
}

const envelopeOf = (bytes: Uint8Array) => {
  const w = schema.decodeMessage(bytes);
  if (w.message.type !== "authorizationRequest") throw new Error("not an AuthReq");
  return new Uint8Array(w.message.value.authReqEnvelope);
};

it("parse then encode gives the same bytes, and finds the OAEP block, the IV and the ciphertext", async () => {
  const env = envelopeOf((await forger.forge()).bytes);
  const tree = parseDer(env);
  expect(Buffer.from(encodeNode(tree)).equals(Buffer.from(env))).toBe(true);
  expect(encryptedKeyOf(tree).content.length).toBe(256);
  expect(ivOf(tree).content.length).toBe(16);
  expect(encryptedContentOf(tree).content.length % 16).toBe(0);
  expect(() => parseDer(Uint8Array.of(0x30, 0x05, 0x01))).toThrow(/past the end/);
  expect(() => parseDer(Uint8Array.of(0x05, 0x00, 0x00))).toThrow(/trailing/);
});

it("the uncut AuthReq opens; every cut fails with the one decryption error", async () => {
  await expect(open((await forger.forge()).bytes)).resolves.toBeDefined();
  const { ivBit, ...fixed } = envelopeCuts;
  const cuts = { ...fixed, ivBit0: ivBit(0), ivBit13: ivBit(13) };
  for (const [name, cut] of Object.entries(cuts)) {
    const req = await forger.forge({ envelope: cut });
    const failure = await open(req.bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect({ name, failure: failure instanceof SetError ? failure.code : String(failure) }).toEqual({
      name,
      failure: "decodingFailure",
    });
  }
});

it("a truncated ciphertext is one block shorter and still DER", async () => {
  const env = envelopeOf((await forger.forge()).bytes);
  const cut = envelopeCuts.truncated(env);
  expect(encryptedContentOf(parseDer(cut)).content.length).toBe(
    encryptedContentOf(parseDer(env)).content.length - 16,
  );
  expect(() => decodeDer(schema.PI, encodeDer(schema.PI, { type: "piUnsigned", value: cut }))).not.toThrow();
});
