using StackExchange.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

[Collection(RedisCollection.Name)]
public sealed class RedisServerTests(RedisServer redis)
{
    [Fact]
    public async Task A_scope_lists_its_keys_with_their_ttls_and_only_its_own()
    {
        await using var scope = redis.CreateScope();
        await using var other = redis.CreateScope();
        await scope.Database.StringSetAsync(scope.KeyPrefix + "claim", "1", TimeSpan.FromMinutes(5));
        await scope.Database.StringSetAsync(scope.KeyPrefix + "forever", "1");
        await other.Database.StringSetAsync(other.KeyPrefix + "claim", "1");

        var keys = await scope.KeysAsync();

        Assert.Equal([scope.KeyPrefix + "claim", scope.KeyPrefix + "forever"], keys.Select(k => k.Key));
        Assert.InRange(keys[0].TimeToLive!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Null(keys[1].TimeToLive);
    }

    [Fact]
    public async Task Disposing_a_scope_deletes_its_keys_and_leaves_others()
    {
        await using var other = redis.CreateScope();
        await other.Database.StringSetAsync(other.KeyPrefix + "kept", "1");
        RedisKey written;
        await using (var scope = redis.CreateScope())
        {
            written = scope.KeyPrefix + "receipt";
            await scope.Database.HashSetAsync(written, "segment", "1");
        }

        Assert.False(await redis.Connection.GetDatabase().KeyExistsAsync(written));
        Assert.Single(await other.KeysAsync());
    }

    [Fact]
    public async Task Glob_characters_in_a_prefix_match_only_themselves()
    {
        await using var scope = redis.CreateScope();
        var literal = scope.KeyPrefix + "a*";
        await scope.Database.StringSetAsync(literal + "1", "1");
        await scope.Database.StringSetAsync(scope.KeyPrefix + "ab1", "1");

        var keys = await RedisKeys.WithTtlAsync(redis.Connection, literal);

        Assert.Equal([literal + "1"], keys.Select(k => k.Key));
    }
}
