using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>Tests that run adapters on the broker with their state in Redis: both fixtures in one collection.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqAndRedisCollection : ICollectionFixture<RabbitMqBroker>, ICollectionFixture<RedisServer>
{
    public const string Name = "rabbitmq-redis";
}

[Collection(RabbitMqAndRedisCollection.Name)]
public sealed class SharedStateReplicaTests(RabbitMqBroker broker, RedisServer redis)
{
    private const int Commands = 200;

    private Task<AdapterOnBroker> StartOnRedisAsync(RedisScope scope) => AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
    {
        ["Stores:Provider"] = "Redis",
        ["Stores:Redis:Configuration"] = redis.Configuration,
        ["Stores:Redis:KeyPrefix"] = scope.KeyPrefix,
    });

    [Fact]
    public async Task Two_replicas_on_one_account_match_every_receipt_whichever_replica_submitted_it()
    {
        await using var scope = redis.CreateScope();
        await using var run = await StartOnRedisAsync(scope);
        // The simulator hands receipts to the account's receiver sessions in turn, so about half of them arrive at the
        // replica that did not submit the segment: only a shared correlation store matches those.
        await run.StartReplicaAsync();
        var commands = Enumerable.Range(0, Commands).Select(i => new SendSms
        {
            MessageId = $"replicas-{i:D3}", From = "Instasent", To = $"+346{i:D8}", Text = $"Your code is {i:D6}",
        }).ToList();

        await run.Bus.PublishManyAsync(commands);

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count + run.Bus.Of<SmsRejected>().Count >= Commands, $"{Commands} outcomes");
        await run.UntilAsync(() => run.Bus.Of<SmsDeliveryReported>().Count >= Commands, $"{Commands} delivery reports");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        var submitted = run.Bus.Of<SmsSubmitted>().ToDictionary(s => s.SmscMessageIds.Single(), s => s.MessageId);
        Assert.Equal(Commands, submitted.Count);
        Assert.All(run.Bus.Of<SmsDeliveryReported>(), report => Assert.Equal(submitted[report.SmscMessageId], report.MessageId));
        Assert.All(await scope.KeysAsync(), key => Assert.NotNull(key.TimeToLive));
    }

    [Fact]
    public async Task A_message_that_asks_for_no_receipt_leaves_no_correlation_in_Redis()
    {
        await using var scope = redis.CreateScope();
        await using var run = await StartOnRedisAsync(scope);

        await run.Bus.PublishManyAsync([
            new SendSms { MessageId = "receipt-asked", From = "Instasent", To = "+34600000001", Text = "Your code is 123456" },
            new SendSms { MessageId = "no-receipt", From = "Instasent", To = "+34600000002", Text = "Your code is 654321", RequestDeliveryReport = false },
        ]);

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == 2, "both outcomes");
        await run.UntilAsync(() => run.Bus.Of<SmsDeliveryReported>().Count == 1, "the receipt asked for");
        var smscIds = run.Bus.Of<SmsSubmitted>().ToDictionary(s => s.MessageId, s => s.SmscMessageIds.Single());
        var correlations = (await scope.KeysAsync()).Select(k => k.Key).Where(k => k.Contains(":corr:", StringComparison.Ordinal)).ToList();
        Assert.Equal("receipt-asked", Assert.Single(run.Bus.Of<SmsDeliveryReported>()).MessageId);
        Assert.Contains(correlations, k => k.EndsWith(smscIds["receipt-asked"], StringComparison.Ordinal));
        Assert.DoesNotContain(correlations, k => k.EndsWith(smscIds["no-receipt"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_command_redelivered_after_a_restart_is_answered_from_the_stored_outcome_not_resubmitted()
    {
        await using var scope = redis.CreateScope();
        await using var run = await StartOnRedisAsync(scope);
        var command = new SendSms { MessageId = "restart-1", From = "Instasent", To = "+34600000001", Text = "Your code is 123456" };
        await run.Bus.PublishAsync(command);
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == 1, "the first outcome");

        // A new process in place of the stopped one: nothing of the first survives but what is in Redis.
        using (var stopping = new CancellationTokenSource(AdapterOnBroker.Wait))
        {
            await run.Host.StopAsync(stopping.Token);
        }
        await run.StartReplicaAsync();
        await run.Bus.PublishAsync(command);
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == 2, "the outcome of the redelivered copy");

        Assert.Single(run.AcceptedSubmits);
        var outcomes = run.Bus.Of<SmsSubmitted>();
        Assert.Equal(outcomes[0].SmscMessageIds, outcomes[1].SmscMessageIds);
    }
}
