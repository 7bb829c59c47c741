using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Tests.Sessions;

public sealed class SubmitRateLimiterTests
{
    [Fact]
    public async Task Throttled_answers_pause_the_connection_doubling_up_to_the_maximum_and_accepted_ones_relax_it()
    {
        var time = new FakeTimeProvider();
        await using var limiter = new SubmitRateLimiter(0, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400), time);
        limiter.Observe(CommandStatus.ESME_RTHROTTLED);
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.CurrentPause);
        limiter.Observe(CommandStatus.ESME_RMSGQFUL);
        limiter.Observe(CommandStatus.ESME_RTHROTTLED);
        limiter.Observe(CommandStatus.ESME_RTHROTTLED);
        Assert.Equal(TimeSpan.FromMilliseconds(400), limiter.CurrentPause);

        var waiting = limiter.WaitAsync(default).AsTask();
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(400));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        limiter.Observe(CommandStatus.ESME_ROK);
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.CurrentPause);
        limiter.Observe(CommandStatus.ESME_ROK);
        limiter.Observe(CommandStatus.ESME_ROK);
        Assert.Equal(TimeSpan.Zero, limiter.CurrentPause);
    }

    [Fact]
    public async Task MaxSubmitsPerSecond_spaces_submits()
    {
        await using var limiter = new SubmitRateLimiter(20, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeProvider.System);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            await limiter.WaitAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        // 20/s with a burst of 2: 10 tokens need at least 4 replenishments of 100 ms.
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(350), $"10 submits took {started.Elapsed}");
    }

    [Fact]
    public void Backoff_grows_with_jitter_within_the_bounds_and_resets()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(1));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next()).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)));
        Assert.True(delays[^1] >= TimeSpan.FromMilliseconds(500));
        backoff.Reset();
        Assert.InRange(backoff.Next(), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }
}
