using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Telemetry;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Instasent.SmppAdapter.Telemetry;

/// <summary>
/// OpenTelemetry: traces from MassTransit, <c>Instasent.Smpp</c> and <c>Instasent.SmppAdapter</c>; metrics from their
/// meters and the runtime. OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the standard
/// <c>OTEL_*</c> variables itself); console when <c>Telemetry:ConsoleExporter=true</c>; Prometheus at <c>/metrics</c>.
/// With no span exporter, traces no caller sampled are not recorded (<see cref="TelemetryOptions.StartTraces"/>).
/// </summary>
internal static class AdapterTelemetrySetup
{
    public static void Add(IServiceCollection services, TelemetryOptions options)
    {
        var otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "instasent-smpp-adapter"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(DiagnosticHeaders.DefaultListenerName, AdapterTelemetry.SmppLibraryName, AdapterTelemetry.Name);
                // Before any exporter: they read the span as it is when it ends.
                tracing.AddProcessor(new MessagingSpanConventions());
                if (!options.StartsTraces(otlp))
                {
                    // Only what a caller sampled is recorded. A trace the caller did not sample (or no trace) gets no
                    // recorded span here; a sampled one is followed as with the default sampler (ParentBased(AlwaysOn)).
                    tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
                }
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
                if (options.ConsoleExporter)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AdapterTelemetry.SmppLibraryName, AdapterTelemetry.Name);
                if (options.MassTransitMetrics)
                {
                    metrics.AddMeter(InstrumentationOptions.MeterName);
                }
                metrics.AddRuntimeInstrumentation();
                metrics.AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
                if (options.ConsoleExporter)
                {
                    metrics.AddConsoleExporter();
                }
            });
    }
}
