using Instasent.SmppAdapter.Cli;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>Reading <c>--rabbitmq</c> / <c>RabbitMq__Uri</c> as the AMQP URI spec reads it, and printing it without the password.</summary>
public sealed class BrokerAddressTests
{
    [Fact]
    public void The_default_uri_is_guest_on_the_local_default_vhost()
    {
        Assert.True(BrokerAddress.TryParse(BrokerAddress.Default, out var address, out _));

        Assert.Equal(new BrokerAddress("amqp", "127.0.0.1", 5672, "/", "guest", "guest"), address);
    }

    [Fact]
    public void Percent_encoded_vhost_user_and_password_are_decoded()
    {
        Assert.True(BrokerAddress.TryParse("amqps://sms%40acme:p%3Ass@rabbit.internal/prod%2Fsms", out var address, out _));

        Assert.Equal(new BrokerAddress("amqps", "rabbit.internal", 5671, "prod/sms", "sms@acme", "p:ss"), address);
        Assert.True(address.UseTls);
    }

    [Fact]
    public void Printing_leaves_the_password_out()
    {
        Assert.True(BrokerAddress.TryParse("amqp://sms:s3cret@10.0.0.5:5673/sms", out var address, out _));

        Assert.Equal("amqp://sms@10.0.0.5:5673/sms", address.ToString());
    }

    [Fact]
    public void A_non_amqp_uri_is_refused_without_echoing_its_credentials()
    {
        Assert.False(BrokerAddress.TryParse("http://admin:s3cret@rabbit:15672/", out _, out var error));

        Assert.Contains("http://***@rabbit:15672/", error);
        Assert.DoesNotContain("s3cret", error);
    }
}
