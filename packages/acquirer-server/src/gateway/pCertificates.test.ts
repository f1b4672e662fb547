import {
  nodeProvider,
  parseSetCertificate,
  readError,
  receivePCertRes,
  schema,
  signPCertReq,
  wrapMessage,
} from "@setlab/protocol";
import { useGatewayTestKit } from "../testing/gatewayTestKit";

const p = nodeProvider();
const kit = useGatewayTestKit(p);

const merID = () =>
  parseSetCertificate(kit.pki.certificate("visa/merchant/signature")).merchantData?.merID ?? "unknown";

async function pCertReq(asked: { brandID: string; bin?: string }[], signerId = "visa/merchant/signature") {
  const rrpid = p.random(20);
  const signer = await kit.pki.signer(signerId, p);
  const data: schema.PCertReqData = {
    pCertRRTags: {
      rrpid,
      merTermIDs: { merchantID: merID() },
      currentDate: new Date(Date.UTC(2026, 10, 25)),
    },
    brandAndBINSeq: asked,
  };
  const value = await signPCertReq(p, signer, data);
  return {
    rrpid,
    asked,
    bytes: wrapMessage({ type: "pCertificateRequest", value }, { rrpid }, { date: new Date() }),
  };
}

const trust = () => ({ pinnedRoot: kit.pki.root(), at: new Date() });

describe("gateway: PCertReq -> PCertRes", () => {
  test("the enrolled merchant gets the brand's key-exchange certificate, which checks against the root", async () => {
    const { gw } = kit.gateway();
    const req = await pCertReq([{ brandID: "Visa" }]);
    const out = await gw.handle(req.bytes);
    expect(out.message).toBe("PCertReq");
    const got = await receivePCertRes(p, out.response, req, { trust: trust() });
    expect(got.items[0].pCertCode).toBe("success");
    expect(got.items[0].certificate).toEqual(kit.pki.certificate("visa/gateway/key-exchange"));
  });

  test("a brand it does not answer for under this signature is brandNotSupported", async () => {
    const { gw } = kit.gateway();
    const req = await pCertReq([{ brandID: "Visa" }, { brandID: "Diners" }]);
    const got = await receivePCertRes(p, (await gw.handle(req.bytes)).response, req, { trust: trust() });
    expect(got.items.map((i) => i.pCertCode)).toEqual(["success", "brandNotSupported"]);
  });

  test("a merchant the acquirer has not enrolled gets a SET Error (invalidCertificate)", async () => {
    const { gw } = kit.gateway({ enrolled: { Visa: [], MasterCard: [] } });
    const req = await pCertReq([{ brandID: "Visa" }]);
    const w = schema.decodeMessage((await gw.handle(req.bytes)).response);
    if (w.message.type !== "error") throw new Error("expected an Error");
    expect((await readError(p, w.message.value)).code).toBe("invalidCertificate");
  });
});
