/**
 * The gateway's and the merchant's receive functions for the credit family run on untrusted
 * bytes: a damaged CredReq or CredRes gives a typed result or a SetError, never another exception.
 */
import fc from "fast-check";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { createTestPki, type TestPki } from "../testing/pki";
import { type CapTokenKeys, sealCapToken } from "./capToken";
import { receiveCredReq, receiveCredRes, sealCredReq, sealCredRes } from "./cred";
import { type MessageFixture, messageFixture } from "./fixture.test-helper";
import { wrapMessage } from "./wrapper";

const p = nodeProvider();
let pki: TestPki;
let m: MessageFixture;
let keys: CapTokenKeys;
let credReq: Uint8Array;
let credRes: Uint8Array;
const rrpid = new Uint8Array(20).fill(7);
const jpy = { currency: 392, amount: 100, amtExp10: 0 };

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  keys = { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") };
  const { transIDs } = m.f.order;
  const authRRPID = new Uint8Array(20).fill(4);
  const capToken = await sealCapToken(
    p,
    keys,
    { authRRPID, authAmt: jpy },
    { xid: transIDs.xid, merchantID: "SETLAB-MER-0001", authRecordID: "a" },
  );
  const date = new Date(Math.floor(Date.now() / 1000) * 1000);
  const tags = { rrpid, merTermIDs: { merchantID: "SETLAB-MER-0001" }, currentDate: date };
  const sealed = await sealCredReq(
    p,
    m.authSigner(),
    pki.gatewayKex.certificate,
    {
      capRevOrCredRRTags: tags,
      capRevOrCredReqItemSeq: [
        {
          transIDs,
          authRRPID,
          capPayload: { capDate: date, capReqAmt: jpy },
          capRevOrCredReqDate: date,
          capRevOrCredReqAmt: jpy,
          newAccountInd: false,
        },
      ],
    },
    [capToken],
  );
  credReq = wrapMessage({ type: "creditRequest", value: sealed }, { rrpid }, { date });
  const answer = await sealCredRes(p, m.signer("gatewaySig"), pki.merchantKex.certificate, {
    capRevOrCredRRTags: tags,
    capRevOrCredResItemSeq: [
      {
        transIDs,
        authRRPID,
        capRevOrCredResPayload: { capRevOrCredCode: "success", capRevOrCredActualAmt: jpy },
      },
    ],
  });
  credRes = wrapMessage({ type: "creditResponse", value: answer }, { rrpid }, { date });
});

const mutations = (der: () => Uint8Array) =>
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 2 })).map(([at, xor, how]) => {
    const bytes = der();
    const i = at % bytes.length;
    if (how === 0) return bytes.subarray(0, i);
    if (how === 1) return Uint8Array.from([...bytes.subarray(0, i), xor, ...bytes.subarray(i)]);
    const copy = new Uint8Array(bytes);
    copy[i] ^= xor;
    return copy;
  });

const resultOrSetError = async (run: () => Promise<unknown>) => {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof SetError)) throw e;
  }
};

const gatewayReceiver = () => ({
  brand: "Visa",
  gatewayKex: m.decrypter("gatewayKex"),
  capTokenKeys: keys,
  trust: m.trust,
  now: new Date(),
  enrolledMerIDs: ["SETLAB-MER-0001"],
  maxItems: 8,
});

test("undamaged, both are taken (what the mutations start from)", async () => {
  const req = await receiveCredReq(p, credReq, gatewayReceiver());
  expect(!req.repeat && req.items[0].kind).toBe("accepted");
  const res = await receiveCredRes(
    p,
    credRes,
    {
      rrpid,
      items: [{ transIDs: m.f.order.transIDs, authRRPID: new Uint8Array(20).fill(4), amount: jpy }],
      gateway: pki.gatewayKex.certificate,
    },
    { decrypter: m.decrypter("merchantKex"), trust: m.trust },
  );
  expect(res.items[0].verdict).toBe("done");
});

test("a damaged CredReq gives a result or a SetError", async () => {
  await fc.assert(
    fc.asyncProperty(
      mutations(() => credReq),
      (bytes) => resultOrSetError(() => receiveCredReq(p, bytes, gatewayReceiver())),
    ),
    { numRuns: 150 },
  );
});

test("a damaged CredRes gives a result or a SetError", async () => {
  const expected = {
    rrpid,
    items: [{ transIDs: m.f.order.transIDs, authRRPID: new Uint8Array(20).fill(4), amount: jpy }],
    brand: "Visa",
    gateway: pki.gatewayKex.certificate,
  };
  const merchant = { decrypter: m.decrypter("merchantKex"), trust: m.trust };
  await fc.assert(
    fc.asyncProperty(
      mutations(() => credRes),
      (bytes) => resultOrSetError(() => receiveCredRes(p, bytes, expected, merchant)),
    ),
    { numRuns: 150 },
  );
});
