// Preloaded (node --import) into a `next start` with tracing off: a global propagator that says when it is asked to
// extract a request's trace context, which Next.js does for every request only when it takes OpenTelemetry to be on.
import { propagation } from "@opentelemetry/api";

propagation.setGlobalPropagator({
  inject() {},
  extract(context) {
    process.stdout.write("propagation probe: extract\n");
    return context;
  },
  fields: () => [],
});
process.stdout.write("propagation probe: loaded\n");
