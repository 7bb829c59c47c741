using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Tests.Configuration;

public sealed class StoresOptionsReaderTests
{
    [Fact]
    public void Stores_default_to_memory_with_a_lease_outliving_an_attempt_and_its_drain()
    {
        var stores = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:02:00",
            ["Adapter:ShutdownTimeout"] = "00:00:10",
        }).Stores;

        Assert.Equal(StoreProvider.Memory, stores.Provider);
        Assert.Equal("127.0.0.1:6379", stores.RedisConfiguration);
        Assert.Equal("smpp-adapter:", stores.KeyPrefix);
        Assert.Equal(TimeSpan.FromDays(7), stores.OutcomeRetention);
        Assert.Equal(TimeSpan.FromSeconds(120 + 10 + 30), stores.ClaimLease);
    }

    [Fact]
    public void Every_stores_key_is_read_and_the_password_file_is_never_printed()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "s3cret\n");
            var stores = TestConfig.Options(new Dictionary<string, string?>
            {
                ["Stores:Provider"] = "Redis",
                ["Stores:Redis:Configuration"] = "127.0.0.1:6380,connectTimeout=2000",
                ["Stores:Redis:PasswordFile"] = file,
                ["Stores:Redis:KeyPrefix"] = "eu-1:",
                ["Stores:OutcomeRetention"] = "2.00:00:00",
                ["Stores:ClaimLease"] = "00:00:45",
            }).Stores;

            Assert.Equal(StoreProvider.Redis, stores.Provider);
            Assert.Equal("127.0.0.1:6380,connectTimeout=2000", stores.RedisConfiguration);
            Assert.Equal("s3cret", stores.RedisPassword);
            Assert.Equal("eu-1:", stores.KeyPrefix);
            Assert.Equal(TimeSpan.FromDays(2), stores.OutcomeRetention);
            Assert.Equal(TimeSpan.FromSeconds(45), stores.ClaimLease);
            Assert.DoesNotContain("s3cret", stores.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Every_stores_problem_is_reported_on_its_own_line()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Stores:Provider"] = "Postgres",
            ["Stores:Redis:Configuration"] = "127.0.0.1:6379,connectTimeout=soon",
            ["Stores:Redis:PasswordFile"] = "/nonexistent/redis-password",
            ["Stores:Redis:KeyPrefix"] = "a {b}",
            ["Stores:OutcomeRetention"] = "00:00:01",
            ["Stores:ClaimLease"] = "never",
        }));

        Assert.Contains(e.Problems, p => p.StartsWith("Stores:Provider must be one of Memory | Redis (was Postgres)", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:Redis:Configuration must be a StackExchange.Redis configuration string", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:Redis:PasswordFile must name a readable file", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:Redis:KeyPrefix must be 1..100 characters", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:OutcomeRetention must be a duration", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:ClaimLease must be a duration", StringComparison.Ordinal));
        Assert.Equal(6, e.Problems.Count);
    }
}
