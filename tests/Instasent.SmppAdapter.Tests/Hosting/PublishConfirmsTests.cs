using Instasent.SmppAdapter.Hosting;
using RabbitMQ.Client.Exceptions;

namespace Instasent.SmppAdapter.Tests.Hosting;

/// <summary>The events channel's publisher confirms as the broker settles them (<see cref="PublishConfirms"/>).</summary>
public sealed class PublishConfirmsTests
{
    private readonly PublishConfirms _confirms = new(inlineContinuations: true);

    [Fact]
    public void A_single_ack_confirms_only_the_publish_it_names()
    {
        var (first, second, third) = (Expect(1), Expect(2), Expect(3));

        _confirms.Ack(2, multiple: false);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.False(first.IsCompleted);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, _confirms.Pending);
    }

    [Fact]
    public void A_multiple_ack_confirms_every_publish_up_to_the_one_it_names_and_none_after()
    {
        var confirmations = Enumerable.Range(1, 5).Select(n => Expect((ulong)n)).ToArray();
        _confirms.Ack(2, multiple: false);

        _confirms.Ack(4, multiple: true);

        Assert.All(confirmations[..4], c => Assert.True(c.IsCompletedSuccessfully));
        Assert.False(confirmations[4].IsCompleted);
        _confirms.Ack(5, multiple: true);
        Assert.True(confirmations[4].IsCompletedSuccessfully);
        Assert.Equal(0, _confirms.Pending);
    }

    [Fact]
    public async Task A_nack_fails_the_publishes_it_covers_with_an_error_worth_publishing_again()
    {
        var (first, second, third) = (Expect(1), Expect(2), Expect(3));

        _confirms.Nack(2, multiple: true);

        foreach (var nacked in new[] { first, second })
        {
            var error = await Assert.ThrowsAsync<PublishException>(() => nacked);
            Assert.False(error.IsReturn);
            Assert.True(RabbitMqBrokerPublisher.IsWorthRetrying(error));
        }
        Assert.False(third.IsCompleted);
    }

    [Fact]
    public async Task A_shutdown_fails_what_is_unconfirmed_and_a_number_taken_before_it_fails_at_once()
    {
        var epoch = _confirms.Epoch;
        var unconfirmed = Expect(7);
        var reason = new AlreadyClosedException(new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Library, 320, "connection lost"));

        _confirms.Fail(reason);

        Assert.Same(reason, await Assert.ThrowsAsync<AlreadyClosedException>(() => unconfirmed));
        // Numbered on the channel that shut down, registered after: the recovered channel numbers from 1 again.
        var stale = _confirms.Expect(8, epoch);
        Assert.True(RabbitMqBrokerPublisher.IsWorthRetrying(await Assert.ThrowsAsync<PublishConfirms.ChannelShutDownException>(() => stale)));
        Assert.Equal(0, _confirms.Pending);
    }

    [Fact]
    public void After_a_shutdown_the_recovered_channels_numbers_from_1_are_confirmed()
    {
        Expect(40);
        Expect(41);
        _confirms.Fail(new InvalidOperationException("shut down"));
        var (first, second) = (Expect(1), Expect(2));

        _confirms.Ack(2, multiple: true);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_publish_forgotten_after_failing_to_send_is_not_waited_for()
    {
        Expect(1);
        var sent = Expect(2);

        _confirms.Forget(1);
        _confirms.Ack(2, multiple: true);

        Assert.True(sent.IsCompletedSuccessfully);
        Assert.Equal(0, _confirms.Pending);
    }

    [Fact]
    public void An_ack_for_a_number_nobody_waits_for_is_ignored()
    {
        var waiting = Expect(5);

        _confirms.Ack(3, multiple: false);
        _confirms.Ack(4, multiple: true);

        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, _confirms.Pending);
    }

    [Fact]
    public async Task Inline_continuations_run_inside_the_settling_call_and_otherwise_on_the_thread_pool()
    {
        foreach (var inline in new[] { true, false })
        {
            var confirms = new PublishConfirms(inline);
            var confirmed = confirms.Expect(1, confirms.Epoch);
            var settlingThread = -1;
            var ranInside = false;
            // Awaited as the publisher awaits it: under its deadline's token.
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var continuation = confirmed.WaitAsync(deadline.Token).ContinueWith(
                _ => ranInside = Environment.CurrentManagedThreadId == Volatile.Read(ref settlingThread), TaskContinuationOptions.ExecuteSynchronously);

            Volatile.Write(ref settlingThread, Environment.CurrentManagedThreadId);
            confirms.Ack(1, multiple: false);
            Volatile.Write(ref settlingThread, -1);

            await continuation;
            Assert.Equal(inline, ranInside);
        }
    }

    private Task Expect(ulong sequenceNumber) => _confirms.Expect(sequenceNumber, _confirms.Epoch);
}
