import { enrolledFor, parseEnrolledMerchants } from "./enrolledMerchants";

describe("enrolled merchants", () => {
  it("reads a BrandID -> merIDs object; a brand that is absent has none", () => {
    const enrolled = parseEnrolledMerchants('{"Visa": ["SETLAB-MER-0001"], "MasterCard": []}');
    expect(enrolledFor(enrolled, "Visa")).toEqual(["SETLAB-MER-0001"]);
    expect(enrolledFor(enrolled, "MasterCard")).toEqual([]);
    expect(enrolledFor(enrolled, "Amex")).toEqual([]);
    expect(enrolledFor(enrolled, "constructor")).toEqual([]);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["an array", '["SETLAB-MER-0001"]', /object of BrandID/],
    ["null", "null", /object of BrandID/],
    ["a merID that is not a string", '{"Visa": [1]}', /array of merIDs/],
    ["an empty merID", '{"Visa": [""]}', /array of merIDs/],
    ["a brand whose value is not an array", '{"Visa": "SETLAB-MER-0001"}', /array of merIDs/],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseEnrolledMerchants(text)).toThrow(message);
  });
});
