using System.Diagnostics;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Tests.Hosting;

/// <summary>Which trace context the adapter's events and forwards carry on (<see cref="RabbitMqBrokerPublisher.TraceToPropagate"/>).</summary>
public sealed class TracePropagationTests : IDisposable
{
    // A source of this test's own, so spans of other tests running beside it never reach this listener.
    private readonly ActivitySource _source = new($"TracePropagationTests-{Guid.NewGuid():N}");
    private readonly ActivityListener _listener;
    private bool _sampleRoots;

    public TracePropagationTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source == _source,
            // As the adapter's sampler without an exporter, ParentBased(AlwaysOff), or with one, ParentBased(AlwaysOn):
            // an unsampled span is still created, for its context only.
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.Parent == default
                ? (_sampleRoots ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData)
                : (options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public void An_unsampled_trace_the_adapter_started_itself_is_not_carried_on()
    {
        using var consume = _source.StartActivity("smpp-send-sms process", ActivityKind.Consumer, parentContext: default);
        using var publish = _source.StartActivity("smpp.sms-submitted publish", ActivityKind.Producer);

        Assert.NotNull(publish);
        Assert.False(publish.Recorded);
        Assert.Null(RabbitMqBrokerPublisher.TraceToPropagate(consume));
        Assert.Null(RabbitMqBrokerPublisher.TraceToPropagate(publish));
        Assert.Null(RabbitMqBrokerPublisher.TraceToPropagate(null));
    }

    [Fact]
    public void A_callers_trace_is_carried_on_from_any_span_under_it_sampled_or_not()
    {
        foreach (var flags in new[] { ActivityTraceFlags.None, ActivityTraceFlags.Recorded })
        {
            var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), flags, isRemote: true);
            using var consume = _source.StartActivity("smpp-send-sms process", ActivityKind.Consumer, caller);
            using var submit = _source.StartActivity("smpp submit");
            using var publish = _source.StartActivity("smpp.sms-submitted publish", ActivityKind.Producer);

            Assert.NotNull(publish);
            Assert.Equal(flags == ActivityTraceFlags.Recorded, publish.Recorded);
            var propagated = RabbitMqBrokerPublisher.TraceToPropagate(publish);
            Assert.Equal(publish.Id, propagated);
            Assert.Contains(caller.TraceId.ToHexString(), propagated, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_trace_the_adapter_started_and_samples_is_carried_on()
    {
        _sampleRoots = true;
        using var receipt = _source.StartActivity("smpp deliver_sm", ActivityKind.Server, parentContext: default);
        // As the receipt's span is started: under the library's span, by its context.
        using var report = _source.StartActivity("smpp delivery_report", ActivityKind.Internal, receipt!.Context);

        Assert.True(report!.Recorded);
        Assert.Equal(report.Id, RabbitMqBrokerPublisher.TraceToPropagate(report));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }
}
