using Instasent.Smpp.Messages;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// What a crash between two store writes would leave behind (issue 11, ops/replicas.sh): the progress naming an accepted
/// segment's smscMessageId is what a later attempt trusts (it sends the segment no more and publishes the id in
/// SmsSubmitted), so it must never be durable without the receipt's correlation. A replica SIGKILLed between two separate
/// writes once left the id without a correlation until the claim lease ran out; its receipt, arriving meanwhile, was
/// published without messageId and never again. Now the correlation goes in the same step (one Redis script, see
/// StoreContractTests), or was stored before; the last segment's goes with the outcome.
/// </summary>
public sealed class AcceptedSegmentRecordTests
{
    [Fact]
    public async Task A_segment_is_recorded_accepted_only_with_or_after_its_receipt_correlation()
    {
        ProgressWatch? watch = null;
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
            s.AddSingleton<ISubmitProgressStore>(sp => watch = new ProgressWatch(
                ActivatorUtilities.CreateInstance<InMemorySubmitProgressStore>(sp), sp.GetRequiredService<ICorrelationStore>())));
        await adapter.SendAsync(new SendSms { MessageId = "order-1", From = "Instasent", To = "+34600000001", Text = new string('x', 400) });

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "order-1");
        Assert.Equal(3, submitted.Segments);
        // Segments 1 and 2 are recorded by progress saves; the last one only with the outcome.
        var recorded = watch!.FirstRecorded();
        Assert.Equal(submitted.SmscMessageIds.Take(2), recorded.Select(r => r.SmscMessageId));
        Assert.All(recorded, r => Assert.True(r.Correlated, $"{r.SmscMessageId} was recorded accepted without its correlation"));
        var normalizer = new MessageIdNormalizer(MessageIdFormat.AsIs);
        foreach (var (id, segment) in submitted.SmscMessageIds.Select((id, i) => (id, i + 1)))
        {
            var correlation = await adapter.Host.Services.GetRequiredService<ICorrelationStore>().FindAsync("instasent", normalizer.FromSubmitResponse(id), TimeSpan.Zero, default);
            Assert.Equal(("order-1", segment), (correlation?.MessageId, correlation?.Segment));
        }
    }

    /// <summary>
    /// Passes saves through; notes, for each smscMessageId a save names for the first time, whether its correlation was
    /// stored already or goes with the save.
    /// </summary>
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
            await NoteAsync(messageId, progress, null, cancellationToken);
            await inner.SaveAsync(messageId, progress, cancellationToken);
        }

        public async ValueTask SaveAcceptedAsync(string messageId, SubmitProgress progress, AcceptedCorrelation? correlation, CancellationToken cancellationToken)
        {
            await NoteAsync(messageId, progress, correlation, cancellationToken);
            await inner.SaveAcceptedAsync(messageId, progress, correlation, cancellationToken);
        }

        public ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken) => inner.RemoveAsync(messageId, cancellationToken);

        private async Task NoteAsync(string messageId, SubmitProgress progress, AcceptedCorrelation? with, CancellationToken cancellationToken)
        {
            foreach (var id in progress.SmscMessageIds.OfType<string>())
            {
                bool seen;
                lock (_recorded)
                {
                    seen = _recorded.Exists(r => r.SmscMessageId == id);
                }
                if (seen)
                {
                    continue;
                }
                var normalized = _normalizer.FromSubmitResponse(id);
                var correlated = (with?.NormalizedSmscMessageId == normalized && with.Correlation.MessageId == messageId)
                    || (await correlations.FindAsync("instasent", normalized, TimeSpan.Zero, cancellationToken))?.MessageId == messageId;
                lock (_recorded)
                {
                    _recorded.Add((id, correlated));
                }
            }
        }
    }
}
