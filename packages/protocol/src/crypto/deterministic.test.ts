import { ContentType } from "../schema/oids";
import { chacha20Block, deterministic, seededStream } from "./deterministic";
import { EK } from "./encryptedMessage";
import { derOf, pkiFor, providers, signerOf } from "./fixtures.test-helper";
import { nodeProvider } from "./provider";
import { S } from "./signedMessage";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ""), "hex"));

describe("ChaCha20 stream", () => {
  it("matches the RFC 8439 section 2.3.2 block test vector", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nonce = unhex("000000090000004a00000000");
    expect(hex(chacha20Block(key, 1, nonce))).toBe(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  it("repeats for the same seed, differs for another, and is continuous across calls", () => {
    const a = seededStream(Uint8Array.of(1, 2, 3));
    const b = seededStream(Uint8Array.of(1, 2, 3));
    const c = seededStream(Uint8Array.of(1, 2, 4));
    const first = a(100);
    expect(b(100)).toEqual(first);
    expect(c(100)).not.toEqual(first);
    const whole = seededStream(Uint8Array.of(1, 2, 3))(200);
    expect(whole.subarray(0, 100)).toEqual(first);
    expect(whole.subarray(100)).toEqual(a(100));
  });

  it("gives seeds longer than one key their full weight", () => {
    const long = new Uint8Array(64);
    const other = new Uint8Array(64);
    other[63] = 1;
    expect(seededStream(long)(32)).not.toEqual(seededStream(other)(32));
  });
});

describe.each(providers)("deterministic(%s)", (_name, base) => {
  const pin = { seed: Uint8Array.of(42), now: new Date("2030-01-02T03:04:05Z") };

  it("pins the clock and the random stream", () => {
    const p = deterministic(base, pin);
    expect(p.now().toISOString()).toBe("2030-01-02T03:04:05.000Z");
    expect(deterministic(base, pin).random(48)).toEqual(p.random(48));
  });

  it("reproduces S and EK byte for byte (golden vectors)", async () => {
    const pki = await pkiFor(base);
    const t = derOf("golden");
    const key = new Uint8Array(32).fill(9);
    const run = async () => {
      const p = deterministic(base, pin);
      return [
        await S(p, signerOf(pki, "merchantSig"), ContentType.PResData, t),
        await EK(p, key, ContentType.CertResTBE, t),
      ];
    };
    const [s1, ek1] = await run();
    const [s2, ek2] = await run();
    expect(s2).toEqual(s1);
    expect(ek2).toEqual(ek1);
    expect(await EK(base, key, ContentType.CertResTBE, t)).not.toEqual(ek1);
  });
});

it("the node provider draws more than one getRandomValues call allows", () => {
  const r = nodeProvider().random(70000);
  expect(r.length).toBe(70000);
  expect(r.subarray(66000, 66100).some((b) => b !== 0)).toBe(true);
});
