using Instasent.SmppAdapter.Inbound;

namespace Instasent.SmppAdapter.Tests.Inbound;

public sealed class InboundSmsIdTests
{
    [Fact]
    public void The_SMSC_id_names_the_message_when_there_is_one() =>
        Assert.Equal("smsc:instasent:ab12", InboundSmsId.For("instasent", "ab12", "+34600000001", "12345", 7, "hello"));

    [Fact]
    public void Without_an_SMSC_id_every_copy_of_a_message_gets_the_same_id() =>
        Assert.Equal(InboundSmsId.For("instasent", null, "+34600000001", "12345", 7, "hello"),
            InboundSmsId.For("instasent", null, "+34600000001", "12345", 7, "hello"));

    [Theory]
    [InlineData("other", "+34600000001", "12345", 7, "hello")]
    [InlineData("instasent", "+34600000002", "12345", 7, "hello")]
    [InlineData("instasent", "+34600000001", "54321", 7, "hello")]
    [InlineData("instasent", "+34600000001", "12345", 8, "hello")]
    [InlineData("instasent", "+34600000001", "12345", 7, "hullo")]
    public void Without_an_SMSC_id_a_different_connection_number_reference_or_text_is_a_different_message(string connection, string from, string to, int reference, string text) =>
        Assert.NotEqual(InboundSmsId.For("instasent", null, "+34600000001", "12345", 7, "hello"), InboundSmsId.For(connection, null, from, to, reference, text));
}
