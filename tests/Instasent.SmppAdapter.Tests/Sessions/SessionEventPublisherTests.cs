using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sessions;
using Instasent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Tests.Sessions;

/// <summary>
/// A session event whose publish fails (the broker did not confirm it in time) is tried again, in order, before it is
/// given up: a transient stall must not drop an SmppSessionUnbound.
/// </summary>
public sealed class SessionBrokerPublisherTests
{
    private static readonly SmppSessionUnbound Unbound = new()
    {
        Connection = "instasent", SessionId = "s1", SystemId = "demo", BindType = "transceiver", InterfaceVersion = "3.4",
        Host = "127.0.0.1", Port = 2775, UnboundAt = DateTimeOffset.UnixEpoch, Reason = "connection_lost",
    };

    [Fact]
    public async Task A_publish_that_fails_twice_is_tried_again_after_growing_pauses_and_gets_through()
    {
        var time = new PauseCountingTime();
        var calls = 0;
        var publishing = SessionEventPublisher.PublishAsync(Unbound, (_, _) =>
            ++calls <= 2 ? Task.FromException(new TimeoutException("not confirmed")) : Task.CompletedTask, time, NullLogger.Instance, default);

        Assert.Equal(1, calls);
        await time.PausedAsync(1);
        time.Advance(SessionEventPublisher.FirstPause);
        await Eventually.TrueAsync(() => Volatile.Read(ref calls) == 2, "the second attempt, one pause later");
        Assert.False(publishing.IsCompleted);
        // The next pause is twice as long: half of it brings no attempt.
        await time.PausedAsync(2);
        time.Advance(SessionEventPublisher.FirstPause);
        Assert.Equal(2, Volatile.Read(ref calls));
        time.Advance(SessionEventPublisher.FirstPause);

        Assert.True(await publishing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_publish_that_keeps_failing_is_given_up_after_the_last_attempt()
    {
        var time = new PauseCountingTime();
        var calls = 0;
        var publishing = SessionEventPublisher.PublishAsync(Unbound, (_, _) =>
        {
            calls++;
            return Task.FromException(new TimeoutException("not confirmed"));
        }, time, NullLogger.Instance, default);

        for (var attempt = 1; attempt < SessionEventPublisher.Attempts; attempt++)
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref calls) == attempt, $"attempt {attempt}");
            await time.PausedAsync(attempt);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.False(await publishing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(SessionEventPublisher.Attempts, calls);
    }

    /// <summary>
    /// Fake time that counts the pauses begun on it: time is advanced only once the publisher waits, or an advance that
    /// comes first (a slow machine) would be lost and the pause never end.
    /// </summary>
    private sealed class PauseCountingTime : TimeProvider
    {
        private readonly FakeTimeProvider _inner = new();
        private int _pauses;

        public void Advance(TimeSpan by) => _inner.Advance(by);

        public Task PausedAsync(int pauses) => Eventually.TrueAsync(() => Volatile.Read(ref _pauses) >= pauses, $"pause {pauses} begun");

        public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

        public override long GetTimestamp() => _inner.GetTimestamp();

        public override long TimestampFrequency => _inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Counted once the timer exists: an advance the test makes on seeing the count must reach it.
            var timer = _inner.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _pauses);
            return timer;
        }
    }
}
