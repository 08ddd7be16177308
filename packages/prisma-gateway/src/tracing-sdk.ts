// The OpenTelemetry SDK for a gateway running on its own, started only when the standard OTEL_* variables ask for
// traces (an OTLP endpoint, or an exporter by name); they are the SDK's contract, read as it reads them.
export function tracingRequested(vars: Record<string, string | undefined> = process.env): boolean {
  if (vars.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporter = vars.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== "none";
  return Boolean(vars.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export async function startTracingSdk(serviceName: string) {
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  const sdk = new NodeSDK({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName });
  sdk.start();
  return sdk;
}
