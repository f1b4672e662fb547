export {
  type Codec,
  decodeDer,
  encodeDer,
  type Infer,
  Node,
  nodeBytes,
  nodeChildren,
  parseOne,
  type Spec,
} from "./codec";
export { implicit, optional, sequence } from "./constructed";
export { integer, octets, oid, string } from "./primitives";
export { context, tlv, universal } from "./tlv";
