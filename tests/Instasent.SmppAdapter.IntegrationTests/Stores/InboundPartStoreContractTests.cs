using System.Text;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// What every inbound part store promises, against the in-memory store and the Redis one; replica 0 and 1 stand for two
/// adapter processes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class InboundPartStoreContractTests(RedisServer redis)
{
    public static TheoryData<string> Providers => [StoreReplicas.Memory, StoreReplicas.Redis];

    private static InboundPartEntry Part(int sequence, int total, string owner, string text = "part", string key = "msg-1") =>
        new("instasent", key, sequence, total, $"{text}-{sequence}", Encoding.UTF8.GetBytes($"{text}-{sequence}"), owner);

    private static string[] Texts(InboundPartAdded added) => added.Parts!.Select(p => Encoding.UTF8.GetString(p)).ToArray();

    [Theory, MemberData(nameof(Providers))]
    public async Task Parts_added_at_once_on_two_replicas_complete_the_message_for_exactly_one_of_them(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        const int Total = 6;

        var added = await Task.WhenAll(Enumerable.Range(1, Total).Select(i => stores.InboundParts(i % 2).AddAsync(Part(i, Total, $"owner-{i}"), default).AsTask()));

        var complete = Assert.Single(added, a => a.Status == InboundPartStatus.Complete);
        Assert.Equal(Total - 1, added.Count(a => a.Status == InboundPartStatus.Pending));
        Assert.Equal(Enumerable.Range(1, Total).Select(i => $"part-{i}"), Texts(complete));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_part_stored_twice_is_a_duplicate(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "a"), default);

        var again = await stores.InboundParts(1).AddAsync(Part(1, 2, "b"), default);

        Assert.Equal(InboundPartStatus.Duplicate, again.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_completing_part_redelivered_before_the_publish_sees_the_message_complete_again_and_no_other_copy_does(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "first"), default);
        Assert.Equal(InboundPartStatus.Complete, (await stores.InboundParts(0).AddAsync(Part(2, 2, "last"), default)).Status);

        // The replica died before publishing: the broker hands the same message (same owner) to the other replica.
        var redelivered = await stores.InboundParts(1).AddAsync(Part(2, 2, "last"), default);
        var resentBySmsc = await stores.InboundParts(1).AddAsync(Part(2, 2, "resent"), default);

        Assert.Equal(InboundPartStatus.Complete, redelivered.Status);
        Assert.Equal(["part-1", "part-2"], Texts(redelivered));
        Assert.Equal(InboundPartStatus.Duplicate, resentBySmsc.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_part_the_SMSC_resends_after_its_message_was_published_is_a_duplicate(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "a"), default);
        await stores.InboundParts(0).AddAsync(Part(2, 2, "b"), default);
        await stores.InboundParts(0).PublishedAsync("msg-1", default);

        Assert.Equal(InboundPartStatus.Duplicate, (await stores.InboundParts(1).AddAsync(Part(1, 2, "c"), default)).Status);
        Assert.Equal(InboundPartStatus.Duplicate, (await stores.InboundParts(1).AddAsync(Part(2, 2, "d"), default)).Status);
        Assert.Empty(await stores.InboundParts(1).TakeExpiredAsync(10, default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_new_message_reusing_a_published_reference_is_assembled_from_its_own_parts(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "a"), default);
        await stores.InboundParts(0).AddAsync(Part(2, 2, "b"), default);
        await stores.InboundParts(0).PublishedAsync("msg-1", default);

        await stores.InboundParts(1).AddAsync(Part(1, 2, "c", text: "later"), default);
        var complete = await stores.InboundParts(1).AddAsync(Part(2, 2, "d", text: "later"), default);

        Assert.Equal(InboundPartStatus.Complete, complete.Status);
        Assert.Equal(["later-1", "later-2"], Texts(complete));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_new_part_under_a_key_whose_message_awaits_its_publish_is_busy_not_dropped(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "a"), default);
        await stores.InboundParts(0).AddAsync(Part(2, 2, "b"), default);

        var reused = await stores.InboundParts(1).AddAsync(Part(1, 2, "c", text: "later"), default);

        Assert.Equal(InboundPartStatus.Busy, reused.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_message_missing_parts_past_its_expiry_is_taken_once_whichever_replica_asks(string provider)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var stores = await StoreReplicas.CreateAsync(provider, redis, time: time);
        await stores.InboundParts(0).AddAsync(Part(1, 3, "a", key: "incomplete"), default);
        await stores.InboundParts(1).AddAsync(Part(3, 3, "b", key: "incomplete"), default);
        time.Advance(StoreReplicas.Sending.InboundPartExpiry / 2);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "c", key: "young"), default);
        Assert.Empty(await stores.InboundParts(0).TakeExpiredAsync(10, default));

        time.Advance(StoreReplicas.Sending.InboundPartExpiry / 2);
        var taken = await Task.WhenAll(stores.InboundParts(0).TakeExpiredAsync(10, default).AsTask(), stores.InboundParts(1).TakeExpiredAsync(10, default).AsTask());

        var expired = Assert.Single(taken.SelectMany(t => t), e => e.MessageKey == "incomplete");
        Assert.Equal(("instasent", 2, 3, false), (expired.Connection, expired.ReceivedParts, expired.Total, expired.Completed));
        Assert.Equal(1, taken.Sum(t => t.Count));
        Assert.Empty(await stores.InboundParts(1).TakeExpiredAsync(10, default));
        Assert.Equal(InboundPartStatus.Complete, (await stores.InboundParts(1).AddAsync(Part(2, 2, "d", key: "young"), default)).Status);
    }

    [Fact]
    public async Task Redis_keeps_no_part_text_once_the_message_is_published_and_every_inbound_key_expires()
    {
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis);
        await stores.InboundParts(0).AddAsync(Part(1, 2, "a", key: "published"), default);
        await stores.InboundParts(0).AddAsync(Part(2, 2, "b", key: "published"), default);
        await stores.InboundParts(0).PublishedAsync("published", default);
        await stores.InboundParts(1).AddAsync(Part(1, 2, "c", key: "pending"), default);

        var keys = await stores.Scope!.KeysAsync();

        Assert.All(keys, k => Assert.NotNull(k.TimeToLive));
        Assert.DoesNotContain(keys, k => k.Key.Contains("parts:published", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.Key.Contains("parts:pending", StringComparison.Ordinal));
        var published = Assert.Single(keys, k => k.Key.Contains("published:published", StringComparison.Ordinal));
        Assert.InRange(published.TimeToLive!.Value, StoreReplicas.Sending.StoreRetention - StoreReplicas.Bound, StoreReplicas.Sending.StoreRetention);
        var members = await stores.Scope.Database.SetMembersAsync(published.Key);
        Assert.Equal(["part-1", "part-2"], members.Select(m => m.ToString()).Order());
    }
}
