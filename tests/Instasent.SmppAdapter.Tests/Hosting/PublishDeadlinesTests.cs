using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Tests.Hosting;

/// <summary>
/// Every publish is given up after <c>Adapter:PublishTimeout</c>, never sooner, and at most an eighth of it later:
/// publishes that start close together share one token (no timer per publish).
/// </summary>
public sealed class PublishDeadlinesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(8);
    private readonly FakeTimeProvider _time = new();
    private readonly PublishDeadlines _deadlines;

    public PublishDeadlinesTests() => _deadlines = new PublishDeadlines(new SendingOptions { PublishTimeout = Timeout }, _time);

    [Fact]
    public void A_publish_is_given_up_after_the_timeout_and_at_most_an_eighth_of_it_later()
    {
        using var first = _deadlines.Start(PublishDeadlines.Outcome, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        using var second = _deadlines.Start(PublishDeadlines.Outcome, CancellationToken.None);

        // Started within an eighth of the timeout (1 s) of each other: one shared token.
        Assert.Equal(first.Token, second.Token);
        // The shared token fires at the timeout and an eighth (9 s) after the first started: 8.001 s after the second.
        _time.Advance(Timeout + Timeout / 8 - TimeSpan.FromMilliseconds(999) - TimeSpan.FromTicks(1));
        Assert.False(first.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(first.Token.IsCancellationRequested);
        Assert.True(second.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_publish_started_an_eighth_of_the_timeout_later_gets_a_deadline_of_its_own()
    {
        using var first = _deadlines.Start(PublishDeadlines.Outcome, CancellationToken.None);
        _time.Advance(Timeout / 8);
        using var second = _deadlines.Start(PublishDeadlines.Outcome, CancellationToken.None);

        Assert.NotEqual(first.Token, second.Token);
        _time.Advance(Timeout);
        Assert.True(first.Token.IsCancellationRequested);
        Assert.False(second.Token.IsCancellationRequested);
        _time.Advance(Timeout / 8);
        Assert.True(second.Token.IsCancellationRequested);
    }

    [Fact]
    public void Only_the_publishes_still_running_at_their_deadline_are_counted_and_the_callers_token_still_cancels()
    {
        using var caller = new CancellationTokenSource();
        var done = _deadlines.Start(PublishDeadlines.DeliverSm, caller.Token);
        var late = _deadlines.Start(PublishDeadlines.DeliverSm, CancellationToken.None);
        done.Dispose();
        _time.Advance(Timeout + Timeout / 8);
        late.Dispose();

        Assert.Equal(1, _deadlines.Exceeded(PublishDeadlines.DeliverSm));
        using var cancelled = _deadlines.Start(PublishDeadlines.Forward, caller.Token);
        caller.Cancel();
        Assert.True(cancelled.Token.IsCancellationRequested);
        Assert.Equal(0, _deadlines.Exceeded(PublishDeadlines.Forward));
    }
}
