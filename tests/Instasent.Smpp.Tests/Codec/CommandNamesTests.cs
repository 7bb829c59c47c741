using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

public class CommandNamesTests
{
    [Fact]
    public void Every_command_id_has_its_specification_name()
    {
        foreach (var id in Enum.GetValues<CommandId>())
        {
            var name = id.Name();
            Assert.NotNull(name);
            // The enum member is the name in PascalCase (submit_sm -> SubmitSm).
            Assert.Equal(id.ToString(), string.Concat(name.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..])));
            Assert.Equal(id.IsResponse(), name.EndsWith("_resp", StringComparison.Ordinal) || id == CommandId.GenericNack);
        }
    }

    [Theory]
    // SMPP 3.4 §5.1.2.1 and SMPP 5.0 §4.7.5.
    [InlineData(0x80000000u, "generic_nack")]
    [InlineData(0x00000009u, "bind_transceiver")]
    [InlineData(0x0000000Bu, "outbind")]
    [InlineData(0x80000015u, "enquire_link_resp")]
    [InlineData(0x00000021u, "submit_multi")]
    [InlineData(0x00000102u, "alert_notification")]
    [InlineData(0x80000103u, "data_sm_resp")]
    [InlineData(0x00000111u, "broadcast_sm")]
    [InlineData(0x80000113u, "cancel_broadcast_sm_resp")]
    public void Command_ids_carry_the_values_of_the_specification(uint value, string name)
    {
        Assert.Equal(name, ((CommandId)value).Name());
    }

    [Fact]
    public void Smpp_3_4_and_5_0_define_33_command_ids()
    {
        // 27 in SMPP 3.4 §5.1.2.1 plus the 6 broadcast ones SMPP 5.0 §4.7.5 adds.
        Assert.Equal(33, Enum.GetValues<CommandId>().Distinct().Count());
    }

    [Fact]
    public void An_unknown_command_id_is_described_by_its_value()
    {
        Assert.Null(((CommandId)0x777).Name());
        Assert.Equal("0x00000777", ((CommandId)0x777).Describe());
        Assert.Equal("submit_sm", CommandId.SubmitSm.Describe());
    }

    [Fact]
    public void Every_command_status_has_its_specification_name()
    {
        foreach (var status in Enum.GetValues<CommandStatus>())
        {
            var name = status.Name();
            Assert.NotNull(name);
            Assert.StartsWith("ESME_R", name, StringComparison.Ordinal);
            Assert.Equal($"{name} (0x{(uint)status:X2})", status.Describe());
        }
    }

    [Theory]
    // SMPP 3.4 §5.1.3 and SMPP 5.0 §4.7.6.
    [InlineData(0x00u, "ESME_ROK")]
    [InlineData(0x02u, "ESME_RINVCMDLEN")]
    [InlineData(0x03u, "ESME_RINVCMDID")]
    [InlineData(0x0Eu, "ESME_RINVPASWD")]
    [InlineData(0x0Fu, "ESME_RINVSYSID")]
    [InlineData(0x14u, "ESME_RMSGQFUL")]
    [InlineData(0x58u, "ESME_RTHROTTLED")]
    [InlineData(0x67u, "ESME_RQUERYFAIL")]
    [InlineData(0xC0u, "ESME_RINVTLVSTREAM")]
    [InlineData(0xC2u, "ESME_RINVTLVLEN")]
    [InlineData(0xFEu, "ESME_RDELIVERYFAILURE")]
    [InlineData(0xFFu, "ESME_RUNKNOWNERR")]
    [InlineData(0x100u, "ESME_RSERTYPUNAUTH")]
    [InlineData(0x104u, "ESME_RINVDCS")]
    [InlineData(0x112u, "ESME_RINVBCASTCHANIND")]
    public void Command_statuses_carry_the_values_of_the_specification(uint value, string name)
    {
        Assert.Equal(name, ((CommandStatus)value).Name());
    }

    [Fact]
    public void Describe_formats_name_and_value()
    {
        Assert.Equal("ESME_RTHROTTLED (0x58)", CommandStatus.ESME_RTHROTTLED.Describe());
        Assert.Equal("ESME_RSERTYPUNAUTH (0x100)", CommandStatus.ESME_RSERTYPUNAUTH.Describe());
    }

    [Fact]
    public void An_undefined_command_status_is_described_by_its_value_and_vendor_range()
    {
        Assert.Null(((CommandStatus)0x45A).Name());
        Assert.Equal("vendor-specific (0x0000045A)", ((CommandStatus)0x45A).Describe());
        Assert.Equal("0x00000099", ((CommandStatus)0x99).Describe());
    }
}
