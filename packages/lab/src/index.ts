export { runDemo } from "./demo";
export { consoleTrace, type Trace } from "./trace";
