import { parseServe } from "./cli";

const base = ["--pki", "/p", "--db", "/d", "--gateway", "Visa=http://127.0.0.1:9"];

describe("set-web-shop serve arguments", () => {
  it("reads the gateways as SET endpoints and the profiles offered", () => {
    expect(
      parseServe([...base, "--gateway", "MasterCard=http://g/set/", "--profiles", "set,hardened"]),
    ).toEqual({
      pki: "/p",
      db: "/d",
      gateways: { Visa: "http://127.0.0.1:9/set", MasterCard: "http://g/set" },
      port: 8080,
      host: "127.0.0.1",
      profiles: ["set", "hardened"],
    });
  });

  it("offers the patent's first and second embodiments when asked", () => {
    expect(parseServe([...base, "--profiles", "set,embodiment-1,embodiment-2"]).profiles).toEqual([
      "set",
      "embodiment-1",
      "embodiment-2",
    ]);
  });

  it.each([
    ["no --pki", ["--db", "/d", "--gateway", "Visa=http://g"], /--pki/],
    ["no --db", ["--pki", "/p", "--gateway", "Visa=http://g"], /--db/],
    ["no gateway", ["--pki", "/p", "--db", "/d"], /--gateway/],
    ["a gateway without a brand", [...base, "--gateway", "http://g"], /BRAND=URL/],
    ["a bad port", [...base, "--port", "70000"], /--port/],
    ["an unknown profile", [...base, "--profiles", "set,embodiment-9"], /--profiles/],
    ["a public URL with a path", [...base, "--public-url", "http://shop/x"], /--public-url/],
    ["an unknown option", [...base, "--admin", "x"], /admin/],
  ])("refuses %s", (_what, argv, pattern) => {
    expect(() => parseServe(argv)).toThrow(pattern);
  });
});
