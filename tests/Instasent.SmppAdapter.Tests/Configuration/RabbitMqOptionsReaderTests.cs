using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Tests.Configuration;

/// <summary><c>RabbitMq:QueueType</c>, <c>RabbitMq:DeliveryLimit</c> and <c>RabbitMq:ClusterNodes</c>, validated at start.</summary>
public sealed class RabbitMqOptionsReaderTests
{
    [Fact]
    public void Queues_are_classic_on_one_broker_by_default()
    {
        var rabbit = TestConfig.Options().RabbitMq;
        Assert.Equal((RabbitMqQueueType.Classic, 20), (rabbit.QueueType, rabbit.DeliveryLimit));
        Assert.Empty(rabbit.ClusterNodes);
    }

    [Theory]
    [InlineData("quorum", RabbitMqQueueType.Quorum)]
    [InlineData("Quorum", RabbitMqQueueType.Quorum)]
    [InlineData("classic", RabbitMqQueueType.Classic)]
    public void QueueType_is_classic_or_quorum_in_any_case(string value, RabbitMqQueueType expected) =>
        Assert.Equal(expected, TestConfig.Options(new Dictionary<string, string?> { ["RabbitMq:QueueType"] = value }).RabbitMq.QueueType);

    [Fact]
    public void Any_other_QueueType_or_DeliveryLimit_stops_the_start_naming_the_key_the_rule_and_the_value()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["RabbitMq:QueueType"] = "stream",
            ["RabbitMq:DeliveryLimit"] = "0",
        }));
        Assert.Equal(["RabbitMq:QueueType must be one of Classic | Quorum (was stream)", "RabbitMq:DeliveryLimit must be 1..1000 (was 0)"], e.Problems);
    }

    [Fact]
    public void ClusterNodes_are_read_one_per_index()
    {
        Assert.Equal(["10.0.0.1:5672", "rabbit-2"], TestConfig.Options(new Dictionary<string, string?>
        {
            ["RabbitMq:ClusterNodes:0"] = "10.0.0.1:5672",
            ["RabbitMq:ClusterNodes:1"] = "rabbit-2",
        }).RabbitMq.ClusterNodes);
    }

    [Theory]
    [InlineData("00:01:20")]
    [InlineData("-00:00:01")]
    public void A_stall_timeout_not_past_the_retry_budget_and_the_shutdown_stops_the_start(string timeout)
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:01:00",
            ["Adapter:ShutdownTimeout"] = "00:00:20",
            ["RabbitMq:StalledEndpointTimeout"] = timeout,
        }));
        Assert.Equal([$"RabbitMq:StalledEndpointTimeout must be 0 (off) or longer than Adapter:RetryBudget + Adapter:ShutdownTimeout (00:01:20; was {TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture)})"], e.Problems);
    }

    [Theory]
    [InlineData("00:00:00", "00:00:00")]
    [InlineData("00:01:21", "00:01:21")]
    [InlineData(null, "00:02:00")]
    public void A_stall_timeout_of_zero_or_past_the_retry_budget_and_the_shutdown_is_taken_and_unset_is_two_minutes(string? timeout, string effective)
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:01:00",
            ["Adapter:ShutdownTimeout"] = "00:00:20",
            ["RabbitMq:StalledEndpointTimeout"] = timeout,
        });
        Assert.Equal(TimeSpan.Parse(effective, System.Globalization.CultureInfo.InvariantCulture), options.RabbitMq.StallTimeout(options.Sending));
    }

    [Fact]
    public void Unset_the_stall_timeout_outlasts_a_raised_retry_budget_and_the_shutdown() =>
        Assert.Equal(TimeSpan.FromMinutes(3), TestConfig.Options(new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:02:00",
            ["Adapter:ShutdownTimeout"] = "00:00:30",
        }) is var options ? options.RabbitMq.StallTimeout(options.Sending) : default);

    [Theory]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("host:port")]
    [InlineData("::1")]
    [InlineData("bad host:5672")]
    public void A_cluster_node_that_is_not_host_or_host_port_stops_the_start(string node)
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["RabbitMq:ClusterNodes:0"] = "127.0.0.1:5701",
            ["RabbitMq:ClusterNodes:1"] = node,
        }));
        Assert.Equal([$"RabbitMq:ClusterNodes must be host or host:port entries, port 1..65535 (was \"{node}\")"], e.Problems);
    }

    [Theory]
    [InlineData(null, BrokerPublisherKind.RabbitMqClient)]
    [InlineData("masstransit", BrokerPublisherKind.MassTransit)]
    [InlineData("RabbitMqClient", BrokerPublisherKind.RabbitMqClient)]
    public void Events_are_published_with_RabbitMQ_Client_unless_MassTransit_is_asked_for(string? value, BrokerPublisherKind expected) =>
        Assert.Equal(expected, TestConfig.Options(new Dictionary<string, string?> { ["RabbitMq:Publisher"] = value }).RabbitMq.Publisher);

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("masstransit", null, false)]
    [InlineData("RabbitMqClient", null, true)]
    // The RabbitMQ.Client consumer moves faults with the RabbitMQ.Client publisher: without it MassTransit consumes.
    [InlineData(null, "MassTransit", false)]
    [InlineData("rabbitmqclient", "MassTransit", false)]
    public void Commands_are_consumed_with_RabbitMQ_Client_unless_MassTransit_is_asked_for_or_publishes(string? consumer, string? publisher, bool onClient)
    {
        var rabbit = TestConfig.Options(new Dictionary<string, string?> { ["RabbitMq:Consumer"] = consumer, ["RabbitMq:Publisher"] = publisher }).RabbitMq;
        Assert.Equal(onClient, rabbit.ConsumesCommandsOnRabbitMqClient);
    }

    [Fact]
    public void The_event_publishers_connection_uses_the_cluster_nodes_in_turn_and_the_credentials_given_apart()
    {
        var (factory, endpoints) = RabbitMqBrokerPublisher.ConnectionSettings(new RabbitMqOptions
        {
            Uri = new Uri("amqps://uri-user:uri-pass@broker.example:5671/tenant"),
            Username = "adapter",
            Password = "secret",
            ClusterNodes = ["rabbit-1:5701", "rabbit-2"],
        });

        Assert.Equal(("adapter", "secret", "tenant"), (factory.UserName, factory.Password, factory.VirtualHost));
        Assert.True(factory.AutomaticRecoveryEnabled);
        Assert.Equal([("rabbit-1", 5701, true), ("rabbit-2", 5671, true)], endpoints.Select(e => (e.HostName, e.Port, e.Ssl.Enabled)));
    }

    [Fact]
    public void Without_cluster_nodes_the_event_publisher_connects_to_the_uri_with_its_own_credentials()
    {
        var (factory, endpoints) = RabbitMqBrokerPublisher.ConnectionSettings(new RabbitMqOptions { Uri = new Uri("amqp://u:p@127.0.0.1:5999/") });

        Assert.Equal(("u", "p", "/"), (factory.UserName, factory.Password, factory.VirtualHost));
        Assert.Equal([("127.0.0.1", 5999, false)], endpoints.Select(e => (e.HostName, e.Port, e.Ssl.Enabled)));
    }
}
