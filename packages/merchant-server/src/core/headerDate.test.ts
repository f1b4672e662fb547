import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CryptoProvider, nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { SqliteRepository } from "../store/sqliteRepository";
import { errorCodeOf } from "../testing/errorCode";
import { GatewayFunction } from "../testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes, readPRes } from "../testing/testCard";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import { Merchant } from "./merchant";

const p = nodeProvider();
let pki: TestPki;
let dir: string;
let n = 0;
const hour = 3600_000;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-date-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The same provider with a clock `offsetMs` off. */
const skewed = (offsetMs: number): CryptoProvider =>
  Object.create(p, { now: { value: () => new Date(Date.now() + offsetMs) } }) as CryptoProvider;

function merchantOver(db: string, clock: CryptoProvider = p) {
  const gateway = new GatewayFunction(p, pki);
  return {
    merchant: new Merchant({
      p: clock,
      repo: closedAtEnd(new SqliteRepository(db)),
      config: testMerchantConfig(pki),
      gateway,
    }),
    gateway,
  };
}

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

describe("header date at the merchant (digest 6 rule 3, checked by receivePInitReq and receivePReq)", () => {
  test("a PInitReq dated an hour ago is refused and the order stays created", async () => {
    const { merchant } = merchantOver(path.join(dir, `m${++n}.db`), skewed(hour));
    const order = await merchant.createOrder({ description, ...purchAmt });
    const out = await merchant.handleSet(pInitReq(p, order.lidM).pInitReq);
    expect(await errorCodeOf(p, out.response)).toBe("messageTooOld");
    expect((await merchant.order(order.id))?.state).toBe("created");
  });

  test("a new PReq dated an hour ahead is refused with no AuthReq; an answered one is answered again at any age", async () => {
    const db = path.join(dir, `m${++n}.db`);
    const honest = merchantOver(db);
    const order = await honest.merchant.createOrder({ description, ...purchAmt });
    const session = pInitReq(p, order.lidM);
    const data = await readPInitRes(
      p,
      kitOf(pki),
      session,
      (await honest.merchant.handleSet(session.pInitReq)).response,
    );
    const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });

    const behind = merchantOver(db, skewed(-hour));
    expect(await errorCodeOf(p, (await behind.merchant.handleSet(req.der)).response)).toBe("messageTooNew");
    expect(behind.gateway.calls).toBe(0);
    expect((await behind.merchant.order(order.id))?.state).toBe("initiated");

    const answered = await honest.merchant.handleSet(req.der);
    const later = merchantOver(db, skewed(2 * hour));
    const again = await later.merchant.handleSet(req.der);
    expect(Buffer.from(again.response).equals(Buffer.from(answered.response))).toBe(true);
    const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, again.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    expect(later.gateway.calls).toBe(0);
  });
});
