using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.TestSupport.Peers;

namespace Instasent.Smpp.Tests.Interop;

/// <summary>
/// Our codec against independent implementations, both ways, for every PDU type they support: node-smpp
/// (SMPP 3.4 + 5.0), Osmocom's libsmpp34 (SMPP 3.4) and Wireshark's dissector. Every field is compared by its
/// specification name through one neutral view of a PDU (<see cref="View"/>), so no PDU type has its own copy of
/// the comparison.
/// </summary>
[Collection(InteropPeersCollection.Name)]
public sealed class CodecInteropTests(InteropPeersFixture peers)
{
    private static readonly string[] HeaderKeys = ["command", "command_length", "command_id", "command_status", "sequence_number", "_message"];

    // UDH (IEI 0x00 concatenation, 8-bit reference 0x2A, part 1 of 2) then "Hola €" in UCS-2.
    private static readonly byte[] UdhUcs2 = Convert.FromHexString("0500032A0201" + "0048006F006C0061002020AC");

    // UDH (IEI 0x08 concatenation, 16-bit reference 0x1234, part 2 of 3) then GSM 03.38 septets, one per octet.
    private static readonly byte[] UdhGsm7 = Convert.FromHexString("06080412340302" + "48656C6C6F");

    private sealed record Sample(string Name, Func<Pdu> Create, string? NotInLibSmpp34 = null, string? NotPackedByLibSmpp34 = null);

    private static readonly Sample[] Samples =
    [
        new("bind_transceiver 3.4", () => new BindTransceiver
        {
            SequenceNumber = 1, SystemId = "myuser", Password = "mypass", SystemType = "SMPP", InterfaceVersion = InterfaceVersion.V34,
            AddrTon = Ton.International, AddrNpi = Npi.Isdn, AddressRange = "^346",
        }),
        new("bind_transmitter 5.0", () => new BindTransmitter
        {
            SequenceNumber = 2, SystemId = "myuser", Password = "mypass", InterfaceVersion = InterfaceVersion.V50,
        }, NotInLibSmpp34: "libsmpp34 is SMPP 3.4 only: it refuses interface_version 0x50"),
        new("bind_transceiver at every field limit", () => new BindTransceiver
        {
            SequenceNumber = 5, SystemId = new string('u', 15), Password = new string('p', 8), SystemType = new string('t', 12),
            InterfaceVersion = InterfaceVersion.V34, AddressRange = new string('9', 40),
        }),
        new("bind_receiver", () => new BindReceiver { SequenceNumber = 3, SystemId = "receiver", Password = "secret" }),
        new("bind_transceiver_resp with sc_interface_version", () => With(
            new BindTransceiverResp { SequenceNumber = 1, SystemId = "Instasent" }, Tlv.FromByte(TlvTag.ScInterfaceVersion, 0x50))),
        new("bind_transmitter_resp ESME_RINVPASWD", () => new BindTransmitterResp { SequenceNumber = 2, CommandStatus = CommandStatus.ESME_RINVPASWD },
            NotInLibSmpp34: "libsmpp34 requires system_id even on an error response; SMPP 3.4 §4.1.2 lets the body be omitted"),
        new("bind_receiver_resp", () => new BindReceiverResp { SequenceNumber = 3, SystemId = "SMSC" }),
        new("outbind", () => new Outbind { SequenceNumber = 4, SystemId = "SMSC", Password = "pw" }),
        new("submit_sm UDH UCS-2 with TLVs", () => With(new SubmitSm
        {
            SequenceNumber = 0x7FFFFFFF, ServiceType = "CMT", SourceAddrTon = Ton.Alphanumeric, SourceAddrNpi = Npi.Unknown,
            SourceAddr = "Instasent", DestAddrTon = Ton.International, DestAddrNpi = Npi.Isdn, DestinationAddr = "34676388300",
            EsmClass = EsmClass.UdhIndicator, ProtocolId = 0, PriorityFlag = 1, ValidityPeriod = "000003000000000R",
            RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure, DataCoding = 8, ShortMessage = UdhUcs2,
        }, Tlv.FromUInt16(TlvTag.UserMessageReference, 0x0102), new Tlv(0x1400, new byte[] { 0xCA, 0xFE }))),
        new("submit_sm message_payload", () => With(new SubmitSm
        {
            SequenceNumber = 10, SourceAddr = "Instasent", DestinationAddr = "+34676388300", DataCoding = 0,
            RegisteredDelivery = 1, ScheduleDeliveryTime = "251231235959004+",
        }, new Tlv(TlvTag.MessagePayload, Encoding.ASCII.GetBytes(new string('x', 300) + " long text sent whole")))),
        new("submit_sm SAR Latin-9", () => With(new SubmitSm
        {
            SequenceNumber = 11, SourceAddr = "12345", SourceAddrTon = Ton.National, DestinationAddr = "+34676388300",
            DataCoding = 3, ShortMessage = Encoding.Latin1.GetBytes("Caf\u00e9 \u00a4 part two"),
        }, Tlv.FromUInt16(TlvTag.SarMsgRefNum, 0xBEEF), Tlv.FromByte(TlvTag.SarTotalSegments, 2), Tlv.FromByte(TlvTag.SarSegmentSeqnum, 2))),
        new("submit_sm 5.0 TLVs", () => With(new SubmitSm
        {
            SequenceNumber = 12, SourceAddr = "Instasent", DestinationAddr = "34676388300", ShortMessage = "v5"u8.ToArray(),
        }, new Tlv(TlvTag.BillingIdentification, Convert.FromHexString("0141424344")),
            new Tlv(TlvTag.DestAddrNpCountry, Convert.FromHexString("00000022")),
            new Tlv(TlvTag.DestAddrNpInformation, Encoding.ASCII.GetBytes("2140000001")),
            Tlv.FromByte(TlvTag.DestAddrNpResolution, 2))),
        // SMPP 5.0 §4.8.4.13: callback_num may appear more than once.
        new("submit_sm repeated callback_num", () => WithRepeated(new SubmitSm
        {
            SequenceNumber = 13, SourceAddr = "Instasent", DestinationAddr = "34676388300", ShortMessage = "Call us"u8.ToArray(),
        }, new Tlv(TlvTag.CallbackNum, Convert.FromHexString("000101").Concat(Encoding.ASCII.GetBytes("34911111111")).ToArray()),
            new Tlv(TlvTag.CallbackNum, Convert.FromHexString("000101").Concat(Encoding.ASCII.GetBytes("34922222222")).ToArray()))),
        new("submit_sm at every field limit", () => new SubmitSm
        {
            SequenceNumber = 14, ServiceType = "USSDX", SourceAddr = new string('1', 20), DestinationAddr = new string('2', 20),
            ScheduleDeliveryTime = "991231235959123-", ValidityPeriod = "990000000000000R",
            ShortMessage = Enumerable.Range(0, 254).Select(i => (byte)i).ToArray(), DataCoding = 4,
        }, NotPackedByLibSmpp34: "smpp34_pack refuses a 254-octet short_message (sm_length must stay below its 254-octet buffer); smpp34_unpack reads it"),
        new("submit_sm empty message_payload", () => With(new SubmitSm
        {
            SequenceNumber = 15, SourceAddr = "Instasent", DestinationAddr = "34676388300",
        }, new Tlv(TlvTag.MessagePayload, Array.Empty<byte>()))),
        new("submit_sm_resp at the message_id limit", () => new SubmitSmResp { SequenceNumber = 16, MessageId = new string('f', 64) }),
        new("submit_sm_resp", () => new SubmitSmResp { SequenceNumber = 10, MessageId = "5f3a2b9c" }),
        new("submit_sm_resp ESME_RTHROTTLED", () => new SubmitSmResp { SequenceNumber = 11, CommandStatus = CommandStatus.ESME_RTHROTTLED }),
        new("submit_sm_resp 5.0 congestion_state", () => With(
            new SubmitSmResp { SequenceNumber = 12, MessageId = "abc" }, Tlv.FromByte(TlvTag.CongestionState, 85)),
            NotInLibSmpp34: "libsmpp34 is SMPP 3.4 only and reads no TLV in submit_sm_resp"),
        new("deliver_sm delivery receipt", () => With(new DeliverSm
        {
            SequenceNumber = 20, SourceAddrTon = Ton.International, SourceAddrNpi = Npi.Isdn, SourceAddr = "34676388300",
            DestAddrTon = Ton.Alphanumeric, DestinationAddr = "Instasent", EsmClass = EsmClass.SmscDeliveryReceipt,
            ShortMessage = Encoding.ASCII.GetBytes("id:5f3a2b9c sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:Hola"),
        }, Tlv.FromCString(TlvTag.ReceiptedMessageId, "5f3a2b9c"), Tlv.FromByte(TlvTag.MessageState, 2),
            new Tlv(TlvTag.NetworkErrorCode, new byte[] { 0x03, 0x00, 0x00 }))),
        new("deliver_sm MO UDH GSM-7", () => new DeliverSm
        {
            SequenceNumber = 21, SourceAddr = "34600000001", DestinationAddr = "Instasent", EsmClass = EsmClass.UdhIndicator,
            DataCoding = 0, ShortMessage = UdhGsm7,
        }),
        new("deliver_sm 5.0 network ids", () => With(new DeliverSm
        {
            SequenceNumber = 22, SourceAddr = "34600000001", DestinationAddr = "Instasent", ShortMessage = "Hi"u8.ToArray(),
        }, Tlv.FromCString(TlvTag.SourceNetworkId, "ES-MOVISTAR"), Tlv.FromCString(TlvTag.DestNetworkId, "INSTASENT"))),
        new("deliver_sm_resp", () => new DeliverSmResp { SequenceNumber = 20 }),
        new("deliver_sm_resp ESME_RX_T_APPN", () => new DeliverSmResp { SequenceNumber = 21, CommandStatus = CommandStatus.ESME_RX_T_APPN },
            NotInLibSmpp34: "libsmpp34 requires deliver_sm_resp's message_id even on an error response"),
        new("data_sm", () => With(new DataSm
        {
            SequenceNumber = 30, SourceAddr = "Instasent", DestAddrTon = Ton.International, DestinationAddr = "34676388300",
            EsmClass = 0, RegisteredDelivery = 1, DataCoding = 8,
        }, Tlv.FromUInt16(TlvTag.SourcePort, 2948), Tlv.FromUInt16(TlvTag.DestinationPort, 9200),
            new Tlv(TlvTag.MessagePayload, Convert.FromHexString("0048006F006C0061")))),
        new("data_sm_resp", () => new DataSmResp { SequenceNumber = 30, MessageId = "ds-1" }),
        new("query_sm", () => new QuerySm { SequenceNumber = 40, MessageId = "5f3a2b9c", SourceAddrTon = Ton.Alphanumeric, SourceAddr = "Instasent" }),
        new("query_sm_resp", () => new QuerySmResp { SequenceNumber = 40, MessageId = "5f3a2b9c", FinalDate = "250101120100000+", MessageState = 2, ErrorCode = 0 }),
        new("cancel_sm", () => new CancelSm
        {
            SequenceNumber = 50, ServiceType = "CMT", MessageId = "5f3a2b9c", SourceAddr = "Instasent",
            DestAddrTon = Ton.International, DestAddrNpi = Npi.Isdn, DestinationAddr = "34676388300",
        }),
        new("cancel_sm_resp", () => new CancelSmResp { SequenceNumber = 50 }),
        new("replace_sm", () => new ReplaceSm
        {
            SequenceNumber = 60, MessageId = "5f3a2b9c", SourceAddr = "Instasent", ValidityPeriod = "000001000000000R",
            RegisteredDelivery = 1, ShortMessage = "Updated text"u8.ToArray(),
        }),
        new("replace_sm_resp", () => new ReplaceSmResp { SequenceNumber = 60 }),
        new("submit_multi", () => new SubmitMulti
        {
            SequenceNumber = 70, SourceAddrTon = Ton.Alphanumeric, SourceAddr = "Instasent",
            Destinations = [MultiDestination.Sme(Ton.International, Npi.Isdn, "34676388300"), MultiDestination.List("customers")],
            RegisteredDelivery = 1, ShortMessage = "To many"u8.ToArray(),
        }),
        new("submit_multi_resp", () => new SubmitMultiResp
        {
            SequenceNumber = 70, MessageId = "multi-1",
            UnsuccessSmes = [new UnsuccessSme(Ton.International, Npi.Isdn, "34600000009", CommandStatus.ESME_RINVDSTADR)],
        }),
        new("alert_notification", () => With(new AlertNotification
        {
            SequenceNumber = 80, SourceAddrTon = Ton.International, SourceAddrNpi = Npi.Isdn, SourceAddr = "34676388300",
            EsmeAddrTon = Ton.Alphanumeric, EsmeAddr = "Instasent",
        }, Tlv.FromByte(TlvTag.MsAvailabilityStatus, 0))),
        new("enquire_link", () => new EnquireLink { SequenceNumber = 90 }),
        new("enquire_link_resp", () => new EnquireLinkResp { SequenceNumber = 90 }),
        new("unbind", () => new Unbind { SequenceNumber = 91 }),
        new("unbind_resp", () => new UnbindResp { SequenceNumber = 91 }),
        new("generic_nack ESME_RINVCMDID", () => new GenericNack { SequenceNumber = 92, CommandStatus = CommandStatus.ESME_RINVCMDID }),
    ];

    public static TheoryData<string> AllSamples => new(Samples.Select(s => s.Name));

    public static TheoryData<string> LibSmpp34Samples => new(Samples.Where(s => s.NotInLibSmpp34 is null).Select(s => s.Name));

    public static TheoryData<string> LibSmpp34PackSamples =>
        new(Samples.Where(s => s.NotInLibSmpp34 is null && s.NotPackedByLibSmpp34 is null).Select(s => s.Name));

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task What_we_encode_decodes_field_for_field_in_node_smpp(string sample)
    {
        var ours = Create(sample);
        var bytes = PduCodec.Encode(ours);

        var node = await peers.Node.DecodeAsync(bytes);

        Assert.Equal(ours.CommandId.Name(), node["command"]!.GetValue<string>());
        Assert.Equal(bytes.Length, node["command_length"]!.GetValue<int>());
        Assert.Equal((uint)ours.CommandStatus, node["command_status"]!.GetValue<uint>());
        Assert.Equal(ours.SequenceNumber, node["sequence_number"]!.GetValue<uint>());
        var schema = await peers.Node.SchemaAsync();
        var parameters = schema["commands"]![node["command"]!.GetValue<string>()]!.AsArray().Select(p => p!.GetValue<string>()).ToHashSet();
        var view = View(ours);
        Assert.Equal(view.Select(f => f.Name).Order(), node.Select(p => p.Key).Where(parameters.Contains).Order());
        foreach (var (name, value) in view)
        {
            Assert.True(JsonNode.DeepEquals(ToJson(value), node[name]), $"{name}: ours {ToJson(value)?.ToJsonString()}, node-smpp {node[name]?.ToJsonString()}");
        }

        var nodeTlvs = new JsonObject(node.Where(p => !HeaderKeys.Contains(p.Key) && !parameters.Contains(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var expectedTlvs = NodeTlvs(ours.Tlvs, schema);
        Assert.True(JsonNode.DeepEquals(expectedTlvs, nodeTlvs), $"TLVs: ours {expectedTlvs.ToJsonString()}, node-smpp {nodeTlvs.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task What_node_smpp_encodes_decodes_field_for_field_in_ours(string sample)
    {
        var original = Create(sample);
        var request = NodeRequest(original, await peers.Node.SchemaAsync());

        var bytes = await peers.Node.EncodeAsync(request);

        Assert.True(PduCodec.TryDecode(bytes, out var decoded, out var error), $"ours refused node-smpp's {Convert.ToHexString(bytes)}: {error}");
        AssertSamePdu(original, decoded!);
        Assert.Equal(Convert.ToHexString(PduCodec.Encode(original)), Convert.ToHexString(bytes));
    }

    [Theory]
    [MemberData(nameof(LibSmpp34Samples))]
    public async Task What_we_encode_decodes_field_for_field_in_libsmpp34(string sample)
    {
        var ours = Create(sample);
        var bytes = PduCodec.Encode(ours);

        var lib = await peers.LibSmpp34.DecodeAsync(bytes);

        Assert.True(lib.Ok, $"libsmpp34 refused {Convert.ToHexString(bytes)}: {lib.Error}");
        Assert.Equal(ours.CommandId.Name(), lib.Command);
        Assert.Equal(bytes.Length, lib.Number("command_length"));
        Assert.Equal((uint)ours.CommandStatus, lib.Number("command_status"));
        Assert.Equal(ours.SequenceNumber, lib.Number("sequence_number"));
        foreach (var (name, value) in View(ours))
        {
            switch (value)
            {
                case long number: Assert.True(number == lib.Number(name), $"{name}: ours {number}, libsmpp34 {lib[name]}"); break;
                case string text: Assert.True(text == lib.Text(name), $"{name}: ours '{text}', libsmpp34 '{lib.Text(name)}'"); break;
                case byte[] octets: Assert.True(octets.AsSpan().SequenceEqual(lib.Bytes(name)), $"{name}: ours {Convert.ToHexString(octets)}, libsmpp34 {lib[name]}"); break;
                case JsonArray list: Assert.Equal(LibSmpp34Entries(name, list), LibSmpp34Entries(name, lib)); break;
            }
        }
        var libTlvs = lib.Fields.Where(f => f.Key.StartsWith("tlv.", StringComparison.Ordinal)).ToList();
        Assert.Equal(ours.Tlvs.Select(t => $"tlv.0x{t.Tag:X4}"), libTlvs.Select(f => f.Key));
        foreach (var (tlv, lib1) in ours.Tlvs.Zip(libTlvs))
        {
            Assert.True(SameTlvValue(tlv.Value.Span, lib1.Value), $"TLV 0x{tlv.Tag:X4}: ours {Convert.ToHexString(tlv.Value.Span)}, libsmpp34 {lib1.Value}");
        }
    }

    [Theory]
    [MemberData(nameof(LibSmpp34PackSamples))]
    public async Task What_libsmpp34_packs_decodes_field_for_field_in_ours(string sample)
    {
        var original = Create(sample);

        var bytes = await peers.LibSmpp34.PackAsync(original.CommandId.Name()!, LibSmpp34Fields(original));

        Assert.True(PduCodec.TryDecode(bytes, out var decoded, out var error), $"ours refused libsmpp34's {Convert.ToHexString(bytes)}: {error}");
        AssertSamePdu(original, decoded!);
        Assert.Equal(Convert.ToHexString(PduCodec.Encode(original)), Convert.ToHexString(bytes));
    }

    [Fact]
    public async Task What_we_encode_dissects_cleanly_in_tshark_with_the_same_fields()
    {
        var pdus = Samples.Select(s => s.Create()).ToList();

        var dissections = await Tshark.DissectAsync(pdus.Select(p => (ReadOnlyMemory<byte>)PduCodec.Encode(p)).ToList());

        var mismatches = new List<string>();
        var compared = 0;
        foreach (var (sample, pdu, dissection) in Samples.Zip(pdus, dissections))
        {
            void Check(bool ok, string what)
            {
                compared++;
                if (!ok)
                {
                    mismatches.Add($"{sample.Name}: {what}");
                }
            }

            Check(dissection.Clean, string.Join("; ", dissection.Problems));
            Check(dissection["smpp.command_id"] == $"0x{(uint)pdu.CommandId:x8}", $"command_id {dissection["smpp.command_id"]}");
            Check(dissection["smpp.sequence_number"] == pdu.SequenceNumber.ToString(CultureInfo.InvariantCulture), $"sequence_number {dissection["smpp.sequence_number"]}");
            if (dissection["smpp.command_status"] is { } status)
            {
                Check(ParseNumber(status) == (long)pdu.CommandStatus, $"command_status {status}");
            }

            foreach (var (name, value) in View(pdu))
            {
                // Times are shown as dates and bit fields split up: only fields tshark shows under the SMPP name compare.
                var field = name == "short_message" ? "smpp.message" : $"smpp.{name}";
                if (name is "schedule_delivery_time" or "validity_period" or "final_date" || dissection[field] is not { } shown)
                {
                    continue;
                }

                switch (value)
                {
                    case long number: Check(ParseNumber(shown) == number, $"{name}: ours {number}, tshark {shown}"); break;
                    case string text when text.Length > 0: Check(shown == text, $"{name}: ours '{text}', tshark '{shown}'"); break;
                    case byte[] octets when octets.Length > 0:
                        Check(shown.Replace(":", "", StringComparison.Ordinal) == Convert.ToHexStringLower(octets), $"{name}: ours {Convert.ToHexString(octets)}, tshark {shown}");
                        break;
                }
            }
            Check(dissection.All("smpp.opt_param_tag").SequenceEqual(pdu.Tlvs.Select(t => $"0x{t.Tag:x4}")),
                $"TLV tags: ours [{string.Join(',', pdu.Tlvs.Select(t => $"0x{t.Tag:x4}"))}], tshark [{string.Join(',', dissection.All("smpp.opt_param_tag"))}]");
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        Assert.True(compared > Samples.Length * 4, $"only {compared} comparisons were made");
    }

    [Fact]
    public async Task Node_smpp_splits_our_UDH_short_message_into_the_same_header_and_UCS2_text()
    {
        var submit = (SubmitSm)Create("submit_sm UDH UCS-2 with TLVs");

        var node = await peers.Node.DecodeAsync(PduCodec.Encode(submit));

        var text = node["_message"]!["short_message"]!;
        Assert.Equal(["00032a0201"], text["udh"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal("Hola \u20ac", text["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_short_message_node_smpp_builds_from_text_and_UDH_decodes_in_ours_with_the_UDH_indicator()
    {
        var udh = Convert.FromHexString("050003070301");
        var request = new JsonObject
        {
            ["command"] = "submit_sm", ["sequence_number"] = 5, ["destination_addr"] = "34676388300", ["esm_class"] = 0,
            ["data_coding"] = 8, ["short_message"] = new JsonObject { ["udh"] = NodePduCodec.Hex(udh), ["message"] = "Ñandú €" },
        };

        var bytes = await peers.Node.EncodeAsync(request);

        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out var error), error?.ToString());
        var submit = Assert.IsType<SubmitSm>(pdu);
        Assert.True(submit.HasUdh);
        Assert.Equal(8, submit.DataCoding);
        Assert.Equal(Convert.ToHexString([.. udh, .. Encoding.BigEndianUnicode.GetBytes("Ñandú €")]), Convert.ToHexString(submit.ShortMessage.Span));
    }

    public static TheoryData<string> BroadcastPdus => new()
    {
        """{"command":"broadcast_sm","sequence_number":100,"source_addr":"Instasent","message_id":"","data_coding":0,"broadcast_area_identifier":[{"hex":"00414243"}],"broadcast_content_type":{"hex":"000001"},"broadcast_rep_num":1,"broadcast_frequency_interval":{"hex":"080005"},"message_payload":{"hex":"48656c6c6f"}}""",
        """{"command":"broadcast_sm_resp","sequence_number":100,"message_id":"b-1"}""",
        """{"command":"query_broadcast_sm","sequence_number":101,"message_id":"b-1","source_addr":"Instasent"}""",
        """{"command":"query_broadcast_sm_resp","sequence_number":101,"message_id":"b-1","message_state":2,"broadcast_area_identifier":[{"hex":"00414243"}],"broadcast_area_success":100}""",
        """{"command":"cancel_broadcast_sm","sequence_number":102,"message_id":"b-1","source_addr":"Instasent"}""",
        """{"command":"cancel_broadcast_sm_resp","sequence_number":102}""",
    };

    // SMPP 5.0 §4.6: broadcast PDUs have no type of their own in our codec; they must pass through intact.
    [Theory]
    [MemberData(nameof(BroadcastPdus))]
    public async Task Node_smpp_broadcast_pdus_pass_through_ours_byte_for_byte(string request)
    {
        var bytes = await peers.Node.EncodeAsync(JsonNode.Parse(request)!.AsObject());

        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out var error), $"ours refused node-smpp's {Convert.ToHexString(bytes)}: {error}");
        var raw = Assert.IsType<RawPdu>(pdu);
        Assert.Equal(JsonNode.Parse(request)!["command"]!.GetValue<string>(), raw.CommandId.Name());
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(PduCodec.Encode(raw)));
    }

    // ---- one neutral view of a PDU: its mandatory fields by SMPP name, numbers as long, C-octet strings as
    // string, octet strings as byte[], submit_multi lists as node-smpp's arrays ----

    private static List<(string Name, object Value)> View(Pdu pdu) => pdu switch
    {
        BindRequest b =>
        [
            ("system_id", b.SystemId), ("password", b.Password), ("system_type", b.SystemType),
            ("interface_version", (long)b.InterfaceVersion), ("addr_ton", (long)b.AddrTon), ("addr_npi", (long)b.AddrNpi),
            ("address_range", b.AddressRange),
        ],
        BindResponse r => HasBody(r, r.SystemId) ? [("system_id", r.SystemId)] : [],
        Outbind o => [("system_id", o.SystemId), ("password", o.Password)],
        ShortMessagePdu m =>
        [
            ("service_type", m.ServiceType), ("source_addr_ton", (long)m.SourceAddrTon), ("source_addr_npi", (long)m.SourceAddrNpi),
            ("source_addr", m.SourceAddr), ("dest_addr_ton", (long)m.DestAddrTon), ("dest_addr_npi", (long)m.DestAddrNpi),
            ("destination_addr", m.DestinationAddr), ("esm_class", (long)m.EsmClass), ("protocol_id", (long)m.ProtocolId),
            ("priority_flag", (long)m.PriorityFlag), ("schedule_delivery_time", m.ScheduleDeliveryTime),
            ("validity_period", m.ValidityPeriod), ("registered_delivery", (long)m.RegisteredDelivery),
            ("replace_if_present_flag", (long)m.ReplaceIfPresentFlag), ("data_coding", (long)m.DataCoding),
            ("sm_default_msg_id", (long)m.SmDefaultMsgId), ("short_message", m.ShortMessage.ToArray()),
        ],
        MessageIdResponse r => HasBody(r, r.MessageId) ? [("message_id", r.MessageId)] : [],
        DataSm d =>
        [
            ("service_type", d.ServiceType), ("source_addr_ton", (long)d.SourceAddrTon), ("source_addr_npi", (long)d.SourceAddrNpi),
            ("source_addr", d.SourceAddr), ("dest_addr_ton", (long)d.DestAddrTon), ("dest_addr_npi", (long)d.DestAddrNpi),
            ("destination_addr", d.DestinationAddr), ("esm_class", (long)d.EsmClass),
            ("registered_delivery", (long)d.RegisteredDelivery), ("data_coding", (long)d.DataCoding),
        ],
        QuerySm q => [("message_id", q.MessageId), ("source_addr_ton", (long)q.SourceAddrTon), ("source_addr_npi", (long)q.SourceAddrNpi), ("source_addr", q.SourceAddr)],
        QuerySmResp q => HasBody(q, q.MessageId)
            ? [("message_id", q.MessageId), ("final_date", q.FinalDate), ("message_state", (long)q.MessageState), ("error_code", (long)q.ErrorCode)]
            : [],
        CancelSm c =>
        [
            ("service_type", c.ServiceType), ("message_id", c.MessageId), ("source_addr_ton", (long)c.SourceAddrTon),
            ("source_addr_npi", (long)c.SourceAddrNpi), ("source_addr", c.SourceAddr), ("dest_addr_ton", (long)c.DestAddrTon),
            ("dest_addr_npi", (long)c.DestAddrNpi), ("destination_addr", c.DestinationAddr),
        ],
        ReplaceSm r =>
        [
            ("message_id", r.MessageId), ("source_addr_ton", (long)r.SourceAddrTon), ("source_addr_npi", (long)r.SourceAddrNpi),
            ("source_addr", r.SourceAddr), ("schedule_delivery_time", r.ScheduleDeliveryTime), ("validity_period", r.ValidityPeriod),
            ("registered_delivery", (long)r.RegisteredDelivery), ("sm_default_msg_id", (long)r.SmDefaultMsgId),
            ("short_message", r.ShortMessage.ToArray()),
        ],
        SubmitMulti s =>
        [
            ("service_type", s.ServiceType), ("source_addr_ton", (long)s.SourceAddrTon), ("source_addr_npi", (long)s.SourceAddrNpi),
            ("source_addr", s.SourceAddr),
            ("dest_address", new JsonArray([.. s.Destinations.Select(d => d.IsDistributionList
                ? new JsonObject { ["dl_name"] = d.DistributionList }
                : new JsonObject { ["dest_addr_ton"] = (int)d.Ton, ["dest_addr_npi"] = (int)d.Npi, ["destination_addr"] = d.Address })])),
            ("esm_class", (long)s.EsmClass), ("protocol_id", (long)s.ProtocolId), ("priority_flag", (long)s.PriorityFlag),
            ("schedule_delivery_time", s.ScheduleDeliveryTime), ("validity_period", s.ValidityPeriod),
            ("registered_delivery", (long)s.RegisteredDelivery), ("replace_if_present_flag", (long)s.ReplaceIfPresentFlag),
            ("data_coding", (long)s.DataCoding), ("sm_default_msg_id", (long)s.SmDefaultMsgId), ("short_message", s.ShortMessage.ToArray()),
        ],
        SubmitMultiResp s =>
        [
            ("message_id", s.MessageId),
            ("unsuccess_sme", new JsonArray([.. s.UnsuccessSmes.Select(u => new JsonObject
            {
                ["dest_addr_ton"] = (int)u.DestAddrTon, ["dest_addr_npi"] = (int)u.DestAddrNpi,
                ["destination_addr"] = u.DestinationAddr, ["error_status_code"] = (uint)u.ErrorStatusCode,
            })])),
        ],
        AlertNotification a =>
        [
            ("source_addr_ton", (long)a.SourceAddrTon), ("source_addr_npi", (long)a.SourceAddrNpi), ("source_addr", a.SourceAddr),
            ("esme_addr_ton", (long)a.EsmeAddrTon), ("esme_addr_npi", (long)a.EsmeAddrNpi), ("esme_addr", a.EsmeAddr),
        ],
        HeaderOnlyPdu => [],
        _ => throw new NotSupportedException($"no view of {pdu.GetType().Name}"),
    };

    // SMPP 3.4 §4.1.2 and §4.4.2: a response with an error status carries no body.
    private static bool HasBody(Pdu response, string firstField) => response.CommandStatus == CommandStatus.ESME_ROK || firstField.Length > 0;

    private static JsonNode? ToJson(object value) => value switch
    {
        long number => JsonValue.Create(number),
        string text => JsonValue.Create(text),
        byte[] octets => JsonValue.Create(Convert.ToHexStringLower(octets)),
        JsonNode node => node.DeepClone(),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    private static void AssertSamePdu(Pdu expected, Pdu actual)
    {
        Assert.Equal(expected.CommandId, actual.CommandId);
        Assert.Equal(expected.CommandStatus, actual.CommandStatus);
        Assert.Equal(expected.SequenceNumber, actual.SequenceNumber);
        var want = new JsonObject(View(expected).Select(f => KeyValuePair.Create(f.Name, ToJson(f.Value))));
        var got = new JsonObject(View(actual).Select(f => KeyValuePair.Create(f.Name, ToJson(f.Value))));
        Assert.Equal(want.ToJsonString(), got.ToJsonString());
        Assert.Equal(Tlvs(expected), Tlvs(actual));

        static IEnumerable<string> Tlvs(Pdu pdu) => pdu.Tlvs.Select(t => $"0x{t.Tag:X4}={Convert.ToHexString(t.Value.Span)}");
    }

    // ---- node-smpp's representation of TLVs: by its name and value type, unknown tags by decimal tag as hex ----

    private static JsonObject NodeTlvs(TlvCollection tlvs, JsonObject schema)
    {
        var result = new JsonObject();
        foreach (var tlv in tlvs)
        {
            if (schema["tlvs"]![tlv.Tag.ToString(CultureInfo.InvariantCulture)] is not JsonObject known)
            {
                result[tlv.Tag.ToString(CultureInfo.InvariantCulture)] = Convert.ToHexStringLower(tlv.Value.Span);
                continue;
            }
            var name = known["name"]!.GetValue<string>();
            var value = NodeTlvValue(tlv.Value.Span, known["type"]!.GetValue<string>(), asRequest: false);
            if (known["multiple"]!.GetValue<bool>())
            {
                ((result[name] ??= new JsonArray()) as JsonArray)!.Add(value);
            }
            else
            {
                result[name] = value;
            }
        }
        return result;
    }

    private static JsonNode NodeTlvValue(ReadOnlySpan<byte> value, string type, bool asRequest) => type switch
    {
        "int8" => JsonValue.Create(value[0]),
        "int16" => JsonValue.Create(BinaryPrimitives.ReadUInt16BigEndian(value)),
        "int32" => JsonValue.Create(BinaryPrimitives.ReadUInt32BigEndian(value)),
        "cstring" => JsonValue.Create(Encoding.Latin1.GetString(value.IndexOf((byte)0) is var nul and >= 0 ? value[..nul] : value)),
        "string" => JsonValue.Create(Encoding.Latin1.GetString(value)),
        _ => asRequest ? NodePduCodec.Hex(value) : JsonValue.Create(Convert.ToHexStringLower(value)),
    };

    private static JsonObject NodeRequest(Pdu pdu, JsonObject schema)
    {
        var request = new JsonObject
        {
            ["command"] = pdu.CommandId.Name(),
            ["sequence_number"] = pdu.SequenceNumber,
            ["command_status"] = (uint)pdu.CommandStatus,
        };
        foreach (var (name, value) in View(pdu))
        {
            request[name] = value is byte[] octets ? NodePduCodec.Hex(octets) : ToJson(value);
        }

        var unknown = new JsonArray();
        foreach (var tlv in pdu.Tlvs)
        {
            if (schema["tlvs"]![tlv.Tag.ToString(CultureInfo.InvariantCulture)] is not JsonObject known)
            {
                unknown.Add(new JsonObject { ["tag"] = tlv.Tag, ["hex"] = Convert.ToHexStringLower(tlv.Value.Span) });
                continue;
            }
            var value = NodeTlvValue(tlv.Value.Span, known["type"]!.GetValue<string>(), asRequest: true);
            var name = known["name"]!.GetValue<string>();
            if (known["multiple"]!.GetValue<bool>())
            {
                ((request[name] ??= new JsonArray()) as JsonArray)!.Add(value);
            }
            else
            {
                request[name] = value;
            }
        }
        if (unknown.Count > 0)
        {
            request["tlvs"] = unknown;
        }

        return request;
    }

    // ---- libsmpp34's representation: key=value as tests/interop/libsmpp34/smpp34-decode.c prints and packs ----

    private static (string, string)[] LibSmpp34Fields(Pdu pdu)
    {
        var fields = new List<(string, string)>
        {
            ("sequence_number", pdu.SequenceNumber.ToString(CultureInfo.InvariantCulture)),
            ("command_status", ((uint)pdu.CommandStatus).ToString(CultureInfo.InvariantCulture)),
        };
        foreach (var (name, value) in View(pdu))
        {
            switch (value)
            {
                case long number: fields.Add((name, number.ToString(CultureInfo.InvariantCulture))); break;
                case string text: fields.Add((name, LibSmpp34.Escape(text))); break;
                case byte[] octets: fields.Add((name, Convert.ToHexStringLower(octets))); break;
                case JsonArray list: fields.AddRange(LibSmpp34Entries(name, list).Select(e => (e.Split('=')[0], e[(e.IndexOf('=') + 1)..]))); break;
            }
        }
        fields.AddRange(pdu.Tlvs.Select(t => ($"tlv.0x{t.Tag:X4}", "#" + Convert.ToHexStringLower(t.Value.Span))));
        return [.. fields];
    }

    private static List<string> LibSmpp34Entries(string name, JsonArray list) => list.Select(n => n!.AsObject()).Select(e => name switch
    {
        "dest_address" when e["dl_name"] is { } dl => $"dl_name={LibSmpp34.Escape(dl.GetValue<string>())}",
        "dest_address" => $"dest_address={e["dest_addr_ton"]}:{e["dest_addr_npi"]}:{LibSmpp34.Escape(e["destination_addr"]!.GetValue<string>())}",
        _ => $"unsuccess_sme={e["dest_addr_ton"]}:{e["dest_addr_npi"]}:{LibSmpp34.Escape(e["destination_addr"]!.GetValue<string>())}:{e["error_status_code"]}",
    }).ToList();

    private static List<string> LibSmpp34Entries(string name, Smpp34Decoded lib) =>
        lib.Fields.Where(f => name == "dest_address" ? f.Key is "dest_address" or "dl_name" : f.Key == name).Select(f => $"{f.Key}={f.Value}").ToList();

    // libsmpp34 prints a TLV as a number when it types the tag as one for that PDU, as hex otherwise.
    private static bool SameTlvValue(ReadOnlySpan<byte> ours, string lib)
    {
        if (lib == Convert.ToHexStringLower(ours))
        {
            return true;
        }

        if (ours.Length is not (1 or 2 or 4) || !ulong.TryParse(lib, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        ulong value = 0;
        foreach (var b in ours)
        {
            value = value << 8 | b;
        }

        return value == number;
    }

    private static long ParseNumber(string shown) =>
        shown.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(shown.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(shown, CultureInfo.InvariantCulture);

    private static Pdu Create(string sample) => Samples.Single(s => s.Name == sample).Create();

    private static T With<T>(T pdu, params Tlv[] tlvs) where T : Pdu
    {
        foreach (var tlv in tlvs)
        {
            pdu.Tlvs.Set(tlv);
        }

        return pdu;
    }

    // Set replaces a tag already there; repeats need the decoder's Append.
    private static T WithRepeated<T>(T pdu, params Tlv[] tlvs) where T : Pdu
    {
        foreach (var tlv in tlvs)
        {
            pdu.Tlvs.Append(tlv);
        }

        return pdu;
    }
}
