using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Tests.Configuration;

/// <summary>The account-wide budget keys: <c>MaxBinds</c> per connection, the bind slot lease and the token batch.</summary>
public sealed class BudgetOptionsReaderTests
{
    [Fact]
    public void Budgets_default_to_no_bind_limit_a_15_second_lease_and_a_derived_batch()
    {
        var options = TestConfig.Options();

        Assert.Equal(0, options.Connections[0].MaxBinds);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Stores.BindSlotLease);
        Assert.Equal(0, options.Stores.SubmitTokenBatch);
    }

    [Fact]
    public void Every_budget_key_is_read()
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:MaxBinds"] = "4",
            ["Stores:BindSlotLease"] = "00:00:30",
            ["Stores:SubmitTokenBatch"] = "7",
        });

        Assert.Equal(4, options.Connections[0].MaxBinds);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Stores.BindSlotLease);
        Assert.Equal(7, options.Stores.SubmitTokenBatch);
    }

    [Theory]
    [InlineData("Transceiver", "2", "2")]
    [InlineData("TransmitterAndReceiver", "2", "4")]
    public void Sessions_may_use_every_bind_MaxBinds_allows(string bindType, string sessions, string maxBinds)
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:BindType"] = bindType,
            ["Smpp:Connections:0:Sessions"] = sessions,
            ["Smpp:Connections:0:MaxBinds"] = maxBinds,
        });

        Assert.Equal(options.Connections[0].MaxBinds, options.Connections[0].BindsPerProcess);
    }

    [Fact]
    public void Sessions_needing_more_binds_than_MaxBinds_are_refused_naming_both()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:BindType"] = "TransmitterAndReceiver",
            ["Smpp:Connections:0:Sessions"] = "2",
            ["Smpp:Connections:0:MaxBinds"] = "3",
        }));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("Smpp:Connections:0:Sessions must not need more binds than MaxBinds (2 TransmitterAndReceiver sessions make 4 binds > MaxBinds 3)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Budget_values_out_of_range_are_reported_on_their_own_lines()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:MaxBinds"] = "-1",
            ["Stores:BindSlotLease"] = "00:00:00.100",
            ["Stores:SubmitTokenBatch"] = "many",
        }));

        Assert.Contains(e.Problems, p => p.StartsWith("Smpp:Connections:0:MaxBinds must be 0..1000", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:BindSlotLease must be a duration", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Stores:SubmitTokenBatch must be 0..10000", StringComparison.Ordinal));
        Assert.Equal(3, e.Problems.Count);
    }
}
