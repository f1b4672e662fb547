import { createPublicKey, generateKeyPairSync, KeyObject, sign } from "node:crypto";
import {
  BoundedMap,
  forgetPublicKeys,
  nodeKeyObject,
  nodePublicKey,
  nodeVerifyKey,
  webCryptoPublicKey,
} from "./keyCache";
import { nodeProvider, peculiarProvider } from "./provider";
import { verifyRsaSha256 } from "./suite";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaSpki = new Uint8Array(rsa.publicKey.export({ type: "spki", format: "der" }));
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ecSpki = new Uint8Array(ec.publicKey.export({ type: "spki", format: "der" }));
const rsaImport = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

describe("BoundedMap", () => {
  it("forgets the least recently used entry beyond its capacity", () => {
    const m = new BoundedMap<string, number>(2);
    m.set("a", 1);
    m.set("b", 2);
    expect(m.get("a")).toBe(1); // a is now the most recent
    m.set("c", 3);
    expect([m.get("a"), m.get("b"), m.get("c"), m.size]).toEqual([1, undefined, 3, 2]);
  });

  it("clear forgets every entry", () => {
    const m = new BoundedMap<string, number>(3);
    m.set("a", 1);
    m.set("b", 2);
    m.clear();
    expect([m.get("a"), m.get("b"), m.size]).toEqual([undefined, undefined, 0]);
    m.set("c", 3);
    expect(m.get("c")).toBe(3);
  });
});

describe("forgetPublicKeys", () => {
  it("makes the next lookup import the key again, for node:crypto and for the provider's WebCrypto", async () => {
    const p = peculiarProvider();
    const node = nodePublicKey(rsaSpki);
    const web = await webCryptoPublicKey(p, rsaSpki, rsaImport, "verify");
    expect(nodePublicKey(rsaSpki)).toBe(node);
    forgetPublicKeys(p);
    expect(nodePublicKey(rsaSpki)).not.toBe(node);
    expect(await webCryptoPublicKey(p, rsaSpki, rsaImport, "verify")).not.toBe(web);
    // Another provider's keys are its own: forgetting them leaves this one's cache as it was.
    const again = await webCryptoPublicKey(p, rsaSpki, rsaImport, "verify");
    forgetPublicKeys(nodeProvider());
    expect(await webCryptoPublicKey(p, rsaSpki, rsaImport, "verify")).toBe(again);
  });
});

describe("nodePublicKey", () => {
  it("reads an RSA key (through its PKCS#1 form) as the same key node reads from the SPKI, once", () => {
    const key = nodePublicKey(rsaSpki);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.export({ format: "jwk" })).toEqual(
      createPublicKey({ key: Buffer.from(rsaSpki), format: "der", type: "spki" }).export({ format: "jwk" }),
    );
    expect(nodePublicKey(new Uint8Array(rsaSpki))).toBe(key);
  });

  it("reads a key of another type as that type, for the caller to refuse", () => {
    expect(nodePublicKey(ecSpki).asymmetricKeyType).toBe("ec");
  });

  it("throws on bytes that are no public key", () => {
    expect(() => nodePublicKey(Uint8Array.of(0x30, 0x00))).toThrow();
    expect(() => nodePublicKey(rsaSpki.subarray(0, 100))).toThrow();
    // rsaEncryption over a BIT STRING that holds no RSAPublicKey
    const notPkcs1 = new Uint8Array(rsaSpki);
    notPkcs1[notPkcs1.indexOf(0x03, 15) + 5] = 0x04; // the RSAPublicKey SEQUENCE made an OCTET STRING
    expect(() => nodePublicKey(notPkcs1)).toThrow();
  });
});

describe("nodeKeyObject", () => {
  it("converts a key of Node's WebCrypto, once, and not a key of another implementation", async () => {
    const pair = (await crypto.subtle.generateKey(
      { ...rsaImport, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
      false,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const converted = nodeKeyObject(pair.privateKey);
    expect(converted?.type).toBe("private");
    expect(nodeKeyObject(pair.privateKey)).toBe(converted);
    const foreign = (await peculiarProvider().crypto.subtle.generateKey(
      { ...rsaImport, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
      false,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    expect(nodeKeyObject(foreign.privateKey)).toBeUndefined();
  });
});

describe("webCryptoPublicKey", () => {
  it("imports once per implementation, algorithm and usage, and does not remember a failed import", async () => {
    const peculiar = peculiarProvider();
    const first = webCryptoPublicKey(peculiar, rsaSpki, rsaImport, "verify");
    expect(webCryptoPublicKey(peculiar, rsaSpki, rsaImport, "verify")).toBe(first);
    expect((await first).algorithm.name).toBe("RSASSA-PKCS1-v1_5");
    const oaep = webCryptoPublicKey(peculiar, rsaSpki, { name: "RSA-OAEP", hash: "SHA-256" }, "encrypt");
    expect(oaep).not.toBe(first);
    expect((await oaep).usages).toEqual(["encrypt"]);
    const failed = webCryptoPublicKey(peculiar, ecSpki, rsaImport, "verify");
    await expect(failed).rejects.toBeDefined();
    expect(webCryptoPublicKey(peculiar, ecSpki, rsaImport, "verify")).not.toBe(failed);
  });
});

describe("nodeVerifyKey", () => {
  const fresh = () => {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { pair, spki: new Uint8Array(pair.publicKey.export({ type: "spki", format: "der" })) };
  };

  it("gives a key's DER on its first use, imports it on the second and keeps it", () => {
    const { spki } = fresh();
    const first = nodeVerifyKey(spki);
    expect(first).not.toBeInstanceOf(KeyObject);
    expect(first).toMatchObject({ format: "der", type: "pkcs1" });
    const second = nodeVerifyKey(new Uint8Array(spki));
    expect(second).toBeInstanceOf(KeyObject);
    expect(nodeVerifyKey(spki)).toBe(second);
    expect(nodePublicKey(spki)).toBe(second);
  });

  it("imports a key nodePublicKey imported before, and a key of another kind at once", () => {
    const { spki } = fresh();
    const imported = nodePublicKey(spki);
    expect(nodeVerifyKey(spki)).toBe(imported);
    expect(nodeVerifyKey(ecSpki)).toBeInstanceOf(KeyObject);
  });

  it("starts again from the DER once the keys are forgotten", () => {
    const { spki } = fresh();
    nodeVerifyKey(spki);
    expect(nodeVerifyKey(spki)).toBeInstanceOf(KeyObject);
    forgetPublicKeys(nodeProvider());
    expect(nodeVerifyKey(spki)).not.toBeInstanceOf(KeyObject);
  });

  it("verifies the same on the first use (DER) as on later ones (KeyObject), and refuses the same", async () => {
    const p = nodeProvider();
    for (const use of ["first", "second", "third"]) {
      const { pair, spki } = use === "first" ? fresh() : { pair: rsa, spki: rsaSpki };
      // on the first use, every check is a key's first use: the keys are forgotten before each
      const check = (message: Uint8Array, signature: Uint8Array) => {
        if (use === "first") forgetPublicKeys(p);
        return verifyRsaSha256(p, spki, message, signature);
      };
      const data = Buffer.from(`message for the ${use} use`);
      const signature = new Uint8Array(sign("sha256", data, pair.privateKey));
      const wrong = new Uint8Array(signature);
      wrong[10] ^= 1;
      expect(await check(data, wrong)).toBe(false);
      expect(await check(data, signature)).toBe(true);
      expect(await check(Buffer.from("another message"), signature)).toBe(false);
    }
    // an EC key is no RSA signer, whatever the bytes
    expect(await verifyRsaSha256(p, ecSpki, Buffer.from("m"), new Uint8Array(256))).toBe(false);
  });
});
