using Instasent.SmppAdapter.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary><c>send --rate</c>: sends are due on an absolute schedule, with a catch-up burst of at most 100 ms' worth.</summary>
public sealed class PacerTests
{
    [Fact]
    public async Task At_10_per_second_the_second_send_is_due_100_ms_after_the_first()
    {
        var time = new FakeTimeProvider();
        var pacer = new Pacer(10, time);

        Assert.True(pacer.WaitAsync(CancellationToken.None).IsCompleted);
        var second = pacer.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void After_an_idle_spell_the_catch_up_burst_is_100_ms_worth_of_sends()
    {
        var time = new FakeTimeProvider();
        var pacer = new Pacer(100, time);
        Assert.True(pacer.WaitAsync(CancellationToken.None).IsCompleted);

        time.Advance(TimeSpan.FromSeconds(5));

        // At 100/s the bucket holds 100 ms: the sends due from 100 ms ago up to now (11 of them) go at once, not 500.
        var immediate = 0;
        while (immediate < 1000 && pacer.WaitAsync(CancellationToken.None).IsCompleted)
        {
            immediate++;
        }

        Assert.Equal(11, immediate);
    }

    [Fact]
    public async Task Sends_do_not_drift_when_each_wait_ends_late()
    {
        var time = new FakeTimeProvider();
        var pacer = new Pacer(10, time);
        await pacer.WaitAsync(CancellationToken.None);

        // Each wake-up is 30 ms late; the schedule is absolute, so ten sends take about one second, not 1.3 s.
        for (var i = 1; i <= 10; i++)
        {
            var wait = pacer.WaitAsync(CancellationToken.None).AsTask();
            if (!wait.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(130));
            }

            await wait.WaitAsync(TimeSpan.FromSeconds(5));
        }

        Assert.True(time.GetUtcNow() - time.Start < TimeSpan.FromSeconds(1.1), $"took {time.GetUtcNow() - time.Start}");
    }
}
