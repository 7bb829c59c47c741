using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// A single-segment command's first send is counted by its claim (one store round trip less per command with Redis,
/// issue 11 item 5), and still before its submit_sm is written: a crash while it is on the wire counts it, as every
/// other send is counted. A command handed back before that send takes the count back.
/// </summary>
public sealed class FirstSendCountTests
{
    [Fact]
    public async Task The_claim_counts_the_first_send_so_a_single_segment_command_writes_no_progress_of_its_own()
    {
        SaveLog? log = null;
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
            s.AddSingleton<ISubmitProgressStore>(sp => log = new SaveLog(ActivatorUtilities.CreateInstance<InMemorySubmitProgressStore>(sp))));
        SubmitProgress? onTheWire = null;
        adapter.Smsc.SubmitAccepted += _ => onTheWire ??= log!.LoadAsync("one", default).AsTask().GetAwaiter().GetResult();

        await adapter.SendAsync(new SendSms { MessageId = "one", From = "Instasent", To = "+34600000001", Text = "one segment" });
        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "one");

        // The only save is the claim's; while the submit_sm was at the SMSC, its send was counted.
        Assert.Equal([1], log!.Sends("one"));
        Assert.NotNull(onTheWire);
        Assert.Equal([1], onTheWire.UnansweredSends);
    }

    [Fact]
    public async Task A_command_handed_back_before_the_send_its_claim_counted_takes_the_count_back()
    {
        SaveLog? log = null;
        // One session of window 2: normal commands get one slot (the other is kept for high ones), but two are consumed.
        await using var adapter = await AdapterUnderTest.StartAsync(
            new Dictionary<string, string?> { ["Smpp:Connections:0:WindowSize"] = "2", ["Adapter:RetryBudget"] = "00:00:00.300" },
            services: s => s.AddSingleton<ISubmitProgressStore>(sp => log = new SaveLog(ActivatorUtilities.CreateInstance<InMemorySubmitProgressStore>(sp))));
        adapter.Smsc.Faults.ResponseDelay = TimeSpan.FromSeconds(1);

        await adapter.SendAsync(new SendSms { MessageId = "first", From = "Instasent", To = "+34600000001", Text = "holds the slot" });
        await adapter.UntilAsync(() => log?.Sends("first").Count > 0, "the first command claimed");
        await adapter.SendAsync(new SendSms { MessageId = "second", From = "Instasent", To = "+34600000002", Text = "waits for it" });
        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "second");

        Assert.Equal([1], log!.Sends("first"));
        // Counted by its claim, taken back when it was handed back without sending, counted again before its one send.
        Assert.Equal([1, 0, 1], log.Sends("second"));
        Assert.Contains(adapter.Sent<SendSms>(), m => m.Message.MessageId == "second");
        Assert.Empty(adapter.Published<SmsRejected>());
    }

    /// <summary>Passes everything through; keeps, per command, the unanswered sends of its one segment at each save.</summary>
    private sealed class SaveLog(ISubmitProgressStore inner) : ISubmitProgressStore
    {
        private readonly Dictionary<string, List<int>> _sends = [];

        public List<int> Sends(string messageId)
        {
            lock (_sends)
            {
                return [.. _sends.GetValueOrDefault(messageId) ?? []];
            }
        }

        public ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken) => inner.LoadAsync(messageId, cancellationToken);

        public ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken)
        {
            lock (_sends)
            {
                (_sends.TryGetValue(messageId, out var sends) ? sends : _sends[messageId] = []).Add(progress.UnansweredSends[0]);
            }
            return inner.SaveAsync(messageId, progress, cancellationToken);
        }

        public ValueTask SaveAcceptedAsync(string messageId, SubmitProgress progress, AcceptedCorrelation? correlation, CancellationToken cancellationToken) =>
            inner.SaveAcceptedAsync(messageId, progress, correlation, cancellationToken);

        public ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken) => inner.RemoveAsync(messageId, cancellationToken);
    }
}
