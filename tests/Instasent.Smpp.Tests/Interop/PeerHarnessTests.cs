using System.Text;
using System.Text.Json.Nodes;
using Instasent.Smpp.TestSupport.Peers;

namespace Instasent.Smpp.Tests.Interop;

/// <summary>
/// The independent peers checked against each other, without our codec: if these fail, an interop failure
/// elsewhere says nothing about our code.
/// </summary>
[Collection(InteropPeersCollection.Name)]
public sealed class PeerHarnessTests(InteropPeersFixture peers)
{
    // UDH (IEI 0x00, 8-bit reference 0x0A, part 1 of 2) followed by "Hi!" in UCS-2.
    private static readonly byte[] UdhUcs2ShortMessage = Convert.FromHexString("0500030A0201004800690021");

    private static JsonObject SubmitSm() => new()
    {
        ["command"] = "submit_sm",
        ["sequence_number"] = 7,
        ["service_type"] = "CMT",
        ["source_addr_ton"] = 5,
        ["source_addr_npi"] = 0,
        ["source_addr"] = "Instasent",
        ["dest_addr_ton"] = 1,
        ["dest_addr_npi"] = 1,
        ["destination_addr"] = "+34676388300",
        ["esm_class"] = 0x40,
        ["protocol_id"] = 0,
        ["priority_flag"] = 1,
        ["schedule_delivery_time"] = "",
        ["validity_period"] = "000001000000000R",
        ["registered_delivery"] = 1,
        ["replace_if_present_flag"] = 0,
        ["data_coding"] = 8,
        ["sm_default_msg_id"] = 0,
        ["short_message"] = NodePduCodec.Hex(UdhUcs2ShortMessage),
        ["user_message_reference"] = 5,
        ["tlvs"] = new JsonArray(new JsonObject { ["tag"] = 0x1400, ["hex"] = "0102" }),
    };

    [Fact]
    public async Task Node_encoded_submit_sm_decodes_field_for_field_in_libsmpp34()
    {
        var bytes = await peers.Node.EncodeAsync(SubmitSm());

        var decoded = await peers.LibSmpp34.DecodeAsync(bytes);

        Assert.True(decoded.Ok, decoded.Error);
        Assert.Equal("submit_sm", decoded.Command);
        Assert.Equal(bytes.Length, decoded.Number("command_length"));
        Assert.Equal(7, decoded.Number("sequence_number"));
        Assert.Equal("CMT", decoded.Text("service_type"));
        Assert.Equal(5, decoded.Number("source_addr_ton"));
        Assert.Equal("Instasent", decoded.Text("source_addr"));
        Assert.Equal(1, decoded.Number("dest_addr_ton"));
        Assert.Equal(1, decoded.Number("dest_addr_npi"));
        Assert.Equal("+34676388300", decoded.Text("destination_addr"));
        Assert.Equal(0x40, decoded.Number("esm_class"));
        Assert.Equal(1, decoded.Number("priority_flag"));
        Assert.Equal("", decoded.Text("schedule_delivery_time"));
        Assert.Equal("000001000000000R", decoded.Text("validity_period"));
        Assert.Equal(1, decoded.Number("registered_delivery"));
        Assert.Equal(8, decoded.Number("data_coding"));
        Assert.Equal(UdhUcs2ShortMessage, decoded.Bytes("short_message"));
        Assert.Equal("5", decoded["tlv.0x0204"]);
        Assert.Equal("0102", decoded["tlv.0x1400"]);
    }

    [Fact]
    public async Task Node_encoded_submit_sm_dissects_cleanly_in_tshark()
    {
        var bytes = await peers.Node.EncodeAsync(SubmitSm());

        var dissection = await Tshark.DissectAsync(bytes);

        Assert.True(dissection.Clean, dissection.ToString());
        Assert.Equal("0x00000004", dissection["smpp.command_id"]);
        Assert.Equal("7", dissection["smpp.sequence_number"]);
        Assert.Equal("CMT", dissection["smpp.service_type"]);
        Assert.Equal("Instasent", dissection["smpp.source_addr"]);
        Assert.Equal("+34676388300", dissection["smpp.destination_addr"]);
        Assert.Equal("0x08", dissection["smpp.data_coding"]);
        Assert.Equal("12", dissection["smpp.sm_length"]);
        Assert.Equal("05:00:03:0a:02:01:00:48:00:69:00:21", dissection["smpp.message"]);
        Assert.Equal("0x0005", dissection["smpp.user_message_reference"]);
        Assert.Equal("01:02", dissection["smpp.vendor_op"]);
    }

    [Fact]
    public async Task Tshark_flags_a_pdu_whose_command_length_claims_more_bytes_than_it_has()
    {
        var bytes = await peers.Node.EncodeAsync(SubmitSm());
        var truncated = bytes[..^5];

        var dissection = await Tshark.DissectAsync(truncated);

        Assert.False(dissection.Clean, dissection.ToString());
    }

    [Fact]
    public async Task LibSmpp34_refuses_a_pdu_whose_command_length_disagrees_with_its_body()
    {
        var bytes = await peers.Node.EncodeAsync(SubmitSm());
        var padded = new byte[bytes.Length + 3];
        bytes.CopyTo(padded, 0);
        padded[3] += 3; // command_length now counts three bytes that are no field and no TLV

        var decoded = await peers.LibSmpp34.DecodeAsync(padded);

        Assert.False(decoded.Ok);
    }

    [Fact]
    public async Task LibSmpp34_packed_delivery_receipt_decodes_field_for_field_in_node_smpp()
    {
        const string receipt = "id:12345 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:";
        var bytes = await peers.LibSmpp34.PackAsync("deliver_sm",
            ("sequence_number", "42"), ("source_addr_ton", "1"), ("source_addr_npi", "1"),
            ("source_addr", LibSmpp34.Escape("+34676388300")), ("destination_addr", "Instasent"),
            ("esm_class", "4"), ("data_coding", "0"),
            ("short_message", Convert.ToHexStringLower(Encoding.ASCII.GetBytes(receipt))),
            ("tlv.0x001E", Convert.ToHexStringLower(Encoding.ASCII.GetBytes("12345\0"))), ("tlv.0x0427", "2"));

        var decoded = await peers.Node.DecodeAsync(bytes);

        Assert.Equal("deliver_sm", decoded["command"]!.GetValue<string>());
        Assert.Equal(42, decoded["sequence_number"]!.GetValue<int>());
        Assert.Equal(1, decoded["source_addr_ton"]!.GetValue<int>());
        Assert.Equal("+34676388300", decoded["source_addr"]!.GetValue<string>());
        Assert.Equal("Instasent", decoded["destination_addr"]!.GetValue<string>());
        Assert.Equal(4, decoded["esm_class"]!.GetValue<int>());
        Assert.Equal(Convert.ToHexStringLower(Encoding.ASCII.GetBytes(receipt)), decoded["short_message"]!.GetValue<string>());
        Assert.Equal(receipt, decoded["_message"]!["short_message"]!["message"]!.GetValue<string>());
        Assert.Equal("12345", decoded["receipted_message_id"]!.GetValue<string>());
        Assert.Equal(2, decoded["message_state"]!.GetValue<int>());
    }

    public static TheoryData<string, string> PduTypesBothCodecsKnow => new()
    {
        { "bind_transceiver", "system_id=myuser password=mypass interface_version=52" },
        { "bind_transmitter", "system_id=myuser password=mypass interface_version=52" },
        { "bind_receiver", "system_id=myuser password=mypass interface_version=52" },
        { "bind_transceiver_resp", "system_id=SMSC" },
        { "outbind", "system_id=SMSC password=pw" },
        { "submit_sm", "destination_addr=%2B34600000000 short_message=48656c6c6f" },
        { "submit_sm_resp", "message_id=abc123" },
        { "deliver_sm", "source_addr=%2B34600000000 short_message=4869" },
        { "deliver_sm_resp", "" },
        { "data_sm", "destination_addr=%2B34600000000 tlv.0x0424=48656c6c6f" },
        { "data_sm_resp", "message_id=m1" },
        { "query_sm", "message_id=m1 source_addr=Instasent" },
        { "query_sm_resp", "message_id=m1 message_state=2" },
        { "cancel_sm", "message_id=m1 destination_addr=%2B34600000000" },
        { "cancel_sm_resp", "" },
        { "replace_sm", "message_id=m1 short_message=4869" },
        { "replace_sm_resp", "" },
        { "submit_multi", "dest_address=1:1:%2B34600000000 dl_name=friends short_message=4869" },
        { "submit_multi_resp", "message_id=m1 unsuccess_sme=1:1:%2B34600000001:11" },
        { "alert_notification", "source_addr=%2B34600000000 esme_addr=Instasent" },
        { "enquire_link", "" },
        { "enquire_link_resp", "" },
        { "unbind", "" },
        { "unbind_resp", "" },
        { "generic_nack", "command_status=3" },
    };

    [Theory]
    [MemberData(nameof(PduTypesBothCodecsKnow))]
    public async Task LibSmpp34_and_node_smpp_and_tshark_agree_on_every_pdu_type(string command, string fields)
    {
        var pairs = fields.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => (f[..f.IndexOf('=')], f[(f.IndexOf('=') + 1)..]));
        var bytes = await peers.LibSmpp34.PackAsync(command, [("sequence_number", "77"), .. pairs]);

        var node = await peers.Node.DecodeAsync(bytes);
        var reencoded = await peers.Node.EncodeAsync(WithoutDecodeOnlyKeys(node));
        var dissection = await Tshark.DissectAsync(bytes);

        Assert.Equal(command, node["command"]!.GetValue<string>());
        Assert.Equal(77, node["sequence_number"]!.GetValue<int>());
        Assert.Equal(Convert.ToHexStringLower(bytes), Convert.ToHexStringLower(reencoded));
        Assert.True(dissection.Clean, dissection.ToString());
        Assert.Equal("77", dissection["smpp.sequence_number"]);
    }

    [Fact]
    public async Task Node_esme_client_submits_100_messages_to_node_smsc_server_and_gets_a_receipt_for_each()
    {
        await using var smsc = await NodeSmppServer.StartAsync("myuser", "mypass", receipts: true);

        var run = await NodeEsmeClient.RunAsync(new NodeEsmeOptions(smsc.Host, smsc.Port, "myuser", "mypass")
        {
            Count = 100, Window = 10, WaitReceipts = true, Duration = TimeSpan.FromSeconds(30),
        });

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        Assert.Equal(0, run.BindStatus);
        Assert.Equal(100, run.Acknowledged);
        Assert.Equal(0, run.Failed);
        Assert.Equal(100, run.Receipts);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), run.MessageIds);
        Assert.Equal(0, run.Unbind?["command_status"]?.GetValue<int>());
    }

    [Fact]
    public async Task Node_smsc_server_refuses_a_wrong_password_with_ESME_RINVPASWD()
    {
        await using var smsc = await NodeSmppServer.StartAsync("myuser", "mypass");

        var run = await NodeEsmeClient.RunAsync(new NodeEsmeOptions(smsc.Host, smsc.Port, "myuser", "wrong")
        {
            Duration = TimeSpan.FromSeconds(15),
        });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(0x0E, run.BindStatus);
        Assert.Equal("ESME_RINVPASWD", run.Bind?["command_status_name"]?.GetValue<string>());
    }

    [Fact]
    public async Task Net_SMPP_client_submits_to_node_smsc_server_and_receives_a_receipt_for_each()
    {
        await using var smsc = await NodeSmppServer.StartAsync("myuser", "mypass", receipts: true);

        var run = await NetSmppClient.RunAsync(smsc.Host, smsc.Port, "myuser", "mypass", count: 3, waitReceipts: true,
            timeout: TimeSpan.FromSeconds(20));

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        Assert.Equal(0, run.Bind?["status"]?.GetValue<int>());
        var responses = run.Of("submit_sm_resp").ToList();
        Assert.Equal(3, responses.Count);
        Assert.All(responses, r => Assert.Equal(0, r["status"]!.GetValue<int>()));
        var receipts = run.Of("deliver_sm").ToList();
        Assert.Equal(3, receipts.Count);
        Assert.Equal(
            responses.Select(r => r["message_id"]!.GetValue<string>()).Order(),
            receipts.Select(r => r["receipted_message_id"]!.GetValue<string>()).Order());
        Assert.Single(run.Of("unbind_resp"));
    }

    /// <summary>A node-smpp decode as an encode request: drops the header values node-smpp recomputes.</summary>
    private static JsonObject WithoutDecodeOnlyKeys(JsonObject decoded)
    {
        var pdu = new JsonObject();
        foreach (var (key, value) in decoded)
        {
            if (key is "command_length" or "command_id" or "_message")
            {
                continue;
            }

            pdu[key] = value switch
            {
                JsonValue v when key is "short_message" or "message_payload" or "network_error_code" =>
                    new JsonObject { ["hex"] = v.GetValue<string>() },
                _ => value?.DeepClone(),
            };
        }
        return pdu;
    }
}
