// Which spans are recorded: as the standard OTEL_TRACES_SAMPLER variables say, except, with TRACE_NEXT_SPANS=true,
// four of the spans Next.js opens for every step of serving a request. Those say nothing an operator acts on, and
// creating and exporting them cost more than the request's own database read when it is a cache hit
// (bench/tracing.ts).
import type { Attributes, Context, Link, SpanKind } from "@opentelemetry/api";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
} from "@opentelemetry/sdk-trace";

/** Next.js's spans for finding, loading and preparing a route and for starting its response (leaves, or a leaf's parent). */
export const nextInternalSpans: ReadonlySet<string> = new Set(["resolve page components", "load route module", "prepare route module", "start response"]);

export class WithoutNextInternals implements Sampler {
  constructor(private readonly sampler: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]) {
    if (nextInternalSpans.has(name)) return { decision: SamplingDecision.NOT_RECORD };
    return this.sampler.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString() {
    return `WithoutNextInternals{${this.sampler.toString()}}`;
  }
}

/** The sampler OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG name, as the Node SDK reads them; parentbased_always_on by default. */
export function samplerFromEnv(vars: Record<string, string | undefined> = process.env): Sampler {
  const given = Number(vars.OTEL_TRACES_SAMPLER_ARG);
  const ratio = vars.OTEL_TRACES_SAMPLER_ARG?.trim() && given >= 0 && given <= 1 ? given : 1;
  switch (vars.OTEL_TRACES_SAMPLER?.trim()) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
