import { FaultPlanError, isEmptyPlan, parseGatewayFaultPlan } from "./faultPlan";

const refused = (plan: unknown, message: RegExp) => {
  expect(() => parseGatewayFaultPlan(plan)).toThrow(FaultPlanError);
  expect(() => parseGatewayFaultPlan(plan)).toThrow(message);
};

describe("GatewayFaultPlan validation", () => {
  it("accepts every switch of the contract and keeps only what was given", () => {
    const plan = {
      delayMs: 6000,
      delayRate: 0.5,
      stage: "received",
      dropRate: 0.1,
      http5xxRate: 0.2,
      malformedRate: 0,
      badSignatureRate: 1,
      clockSkewSeconds: -3600,
      scheduleAdvanceSeconds: 31 * 86_400,
    };
    expect(parseGatewayFaultPlan(plan)).toEqual(plan);
    expect(parseGatewayFaultPlan({})).toEqual({});
    expect(isEmptyPlan(parseGatewayFaultPlan({}))).toBe(true);
    expect(isEmptyPlan(parseGatewayFaultPlan({ dropRate: 0 }))).toBe(false);
  });

  it("refuses what is not an object", () => {
    for (const v of [null, [], "x", 3, true]) refused(v, /JSON object/);
  });

  it("refuses unknown fields", () => refused({ dropRate: 0.1, dropped: 1 }, /unknown field "dropped"/));

  it("refuses rates outside 0..1 and non-numbers", () => {
    refused({ dropRate: 1.5 }, /dropRate must be between 0 and 1/);
    refused({ http5xxRate: -0.1 }, /http5xxRate must be between 0 and 1/);
    refused({ malformedRate: "0.1" }, /malformedRate must be a number/);
    refused({ badSignatureRate: Number.NaN }, /badSignatureRate must be a number/);
    refused({ delayMs: 10, delayRate: 2 }, /delayRate must be between 0 and 1/);
  });

  it("refuses a bad delay, stage or skew", () => {
    refused({ delayMs: -1 }, /delayMs must be an integer/);
    refused({ delayMs: 1.5 }, /delayMs must be an integer/);
    refused({ delayMs: 600_001 }, /delayMs must be an integer/);
    refused({ delayMs: 10, stage: "sent" }, /stage must be "received" or "committed"/);
    refused({ stage: "received" }, /need delayMs/);
    refused({ delayRate: 0.5 }, /need delayMs/);
    refused({ clockSkewSeconds: 0.5 }, /clockSkewSeconds must be an integer/);
    refused({ clockSkewSeconds: 1e12 }, /clockSkewSeconds must be an integer/);
    refused({ scheduleAdvanceSeconds: -86_400 }, /scheduleAdvanceSeconds must be an integer from 0/);
    refused({ scheduleAdvanceSeconds: 1.5 }, /scheduleAdvanceSeconds must be an integer/);
    refused({ scheduleAdvanceSeconds: 1e12 }, /scheduleAdvanceSeconds must be an integer/);
  });
});
