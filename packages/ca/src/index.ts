export * from "./brandCrlIdentifier";
export * from "./certificateAuthority";
export { buildCertificate, buildCrl, signedObjectThumb, subjectName } from "./certificateBuilder";
export * from "./errors";
export * from "./hierarchy";
export * from "./profiles";
export * from "./store";
