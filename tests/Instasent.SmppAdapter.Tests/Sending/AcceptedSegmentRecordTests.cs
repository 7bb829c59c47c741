using Instasent.Smpp.Messages;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// What a crash between two store writes leaves behind (issue 11, ops/replicas.sh): the progress naming an accepted
/// segment's smscMessageId is what a later attempt trusts (it sends the segment no more and publishes the id in
/// SmsSubmitted), so by the time it is written the receipt's correlation must be stored already. A replica SIGKILLed
/// between the two writes used to leave the id without a correlation until the claim lease ran out; its receipt, arriving
/// meanwhile, was published without messageId and never again.
/// </summary>
public sealed class AcceptedSegmentRecordTests
{
    [Fact]
    public async Task Segment_is_recorded_accepted_only_once_its_receipt_correlation_is_stored()
    {
        ProgressWatch? watch = null;
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
            s.AddSingleton<ISubmitProgressStore>(sp => watch = new ProgressWatch(
                ActivatorUtilities.CreateInstance<InMemorySubmitProgressStore>(sp), sp.GetRequiredService<ICorrelationStore>())));
        await adapter.SendAsync(new SendSms { MessageId = "order-1", From = "Instasent", To = "+34600000001", Text = new string('x', 200) });

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "order-1");
        Assert.Equal(2, submitted.Segments);
        // Each accepted id, the moment a progress save first named it: was its correlation in the store then?
        var recorded = watch!.FirstRecorded();
        Assert.Equal(submitted.SmscMessageIds, recorded.Select(r => r.SmscMessageId));
        Assert.All(recorded, r => Assert.True(r.Correlated, $"{r.SmscMessageId} was recorded accepted before its correlation was stored"));
    }

    /// <summary>Passes saves through; notes, for each smscMessageId a save names for the first time, whether its correlation is stored.</summary>
    private sealed class ProgressWatch(ISubmitProgressStore inner, ICorrelationStore correlations) : ISubmitProgressStore
    {
        private readonly MessageIdNormalizer _normalizer = new(MessageIdFormat.AsIs);
        private readonly List<(string SmscMessageId, bool Correlated)> _recorded = [];

        public List<(string SmscMessageId, bool Correlated)> FirstRecorded()
        {
            lock (_recorded)
            {
                return [.. _recorded];
            }
        }

        public ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken) => inner.LoadAsync(messageId, cancellationToken);

        public async ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken)
        {
            foreach (var id in progress.SmscMessageIds.OfType<string>())
            {
                bool seen;
                lock (_recorded)
                {
                    seen = _recorded.Exists(r => r.SmscMessageId == id);
                }
                if (!seen)
                {
                    var correlation = await correlations.FindAsync("instasent", _normalizer.FromSubmitResponse(id), TimeSpan.Zero, cancellationToken);
                    lock (_recorded)
                    {
                        _recorded.Add((id, correlation?.MessageId == messageId));
                    }
                }
            }
            await inner.SaveAsync(messageId, progress, cancellationToken);
        }

        public ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken) => inner.RemoveAsync(messageId, cancellationToken);
    }
}
