using System.Text;
using CsCheck;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

public class PduRoundTripTests
{
    public static TheoryData<string> PduNames => new(PduSamples.All.Keys);

    [Theory]
    [MemberData(nameof(PduNames))]
    public void Every_pdu_type_decodes_to_the_fields_it_was_encoded_from(string name)
    {
        var pdu = PduSamples.All[name]();

        var bytes = PduCodec.Encode(pdu);
        Assert.True(PduCodec.TryDecode(bytes, out var decoded, out var error), error?.ToString());

        Assert.Equal(name, decoded!.CommandId.Name());
        PduAssert.Equivalent(pdu, decoded);
        Assert.Equal(bytes, PduCodec.Encode(decoded));
    }

    [Theory]
    [MemberData(nameof(PduNames))]
    public void Every_sample_sets_every_field_the_type_has(string name)
    {
        // Guards the round trip above: a field left at its default would pass it without being carried.
        var pdu = PduSamples.All[name]();
        var defaults = Activator.CreateInstance(pdu.GetType(), pdu is RawPdu ? [pdu.CommandId] : [])!;

        foreach (var field in PduAssert.FieldsOf(pdu.GetType()).Where(p => p.Name != nameof(Pdu.CommandStatus) && p.PropertyType != typeof(TlvCollection)))
        {
            var value = field.GetValue(pdu);
            var initial = field.GetValue(defaults);
            var same = value is ReadOnlyMemory<byte> m ? m.Length == ((ReadOnlyMemory<byte>)initial!).Length && m.Length == 0 : Equals(value, initial);
            Assert.False(same, $"{name}.{field.Name} is left at its default ({initial})");
        }
    }

    [Fact]
    public void Every_command_id_has_a_pdu_type_that_reports_it()
    {
        foreach (var id in Enum.GetValues<CommandId>())
        {
            var pdu = PduCodec.Create(id);
            Assert.NotNull(pdu);
            Assert.Equal(id, pdu.CommandId);
        }
    }

    [Fact]
    public void Every_request_creates_the_response_that_answers_it_with_its_sequence_number()
    {
        foreach (var pdu in PduSamples.All.Values.Select(create => create()))
        {
            var response = pdu.CreateResponse(CommandStatus.ESME_RTHROTTLED);
            if (pdu.IsResponse || pdu.CommandId is CommandId.Outbind or CommandId.AlertNotification or CommandId.BroadcastSm)
            {
                Assert.Null(response);
                continue;
            }
            Assert.NotNull(response);
            Assert.Equal(pdu.CommandId.ResponseOf(), response.CommandId);
            Assert.Equal(pdu.SequenceNumber, response.SequenceNumber);
            Assert.Equal(CommandStatus.ESME_RTHROTTLED, response.CommandStatus);
        }
    }

    [Fact]
    public void Submit_sm_and_deliver_sm_with_random_fields_within_the_limits_survive_a_round_trip()
    {
        var printable = Gen.Char[' ', '~'];
        Gen<string> CString(int maxLengthWithNul) => printable.Array[0, maxLengthWithNul - 1].Select(c => new string(c));
        var tlv = Gen.Select(Gen.UShort, Gen.Byte.Array[0, 40], (tag, value) => new Tlv(tag, value));

        var gen = Gen.Select(
            Gen.Bool, Gen.UInt, Gen.Select(CString(FieldLimits.ServiceType), CString(FieldLimits.Address), CString(FieldLimits.Address)),
            Gen.Byte.Array[13, 13], Gen.Select(CString(FieldLimits.DateTime), CString(FieldLimits.DateTime)),
            Gen.Byte.Array[0, FieldLimits.ShortMessage], tlv.Array[0, 4],
            (deliver, sequence, texts, octets, times, message, tlvs) =>
            {
                ShortMessagePdu pdu = deliver ? new DeliverSm() : new SubmitSm();
                pdu.SequenceNumber = sequence;
                (pdu.ServiceType, pdu.SourceAddr, pdu.DestinationAddr) = texts;
                (pdu.ScheduleDeliveryTime, pdu.ValidityPeriod) = times;
                pdu.SourceAddrTon = (Ton)octets[0];
                pdu.SourceAddrNpi = (Npi)octets[1];
                pdu.DestAddrTon = (Ton)octets[2];
                pdu.DestAddrNpi = (Npi)octets[3];
                pdu.EsmClass = octets[4];
                pdu.ProtocolId = octets[5];
                pdu.PriorityFlag = octets[6];
                pdu.RegisteredDelivery = octets[7];
                pdu.ReplaceIfPresentFlag = octets[8];
                pdu.DataCoding = octets[9];
                pdu.SmDefaultMsgId = octets[10];
                pdu.CommandStatus = (CommandStatus)octets[11];
                pdu.ShortMessage = message;
                foreach (var t in tlvs)
                {
                    pdu.Tlvs.Set(t);
                }

                return pdu;
            });

        gen.Sample(pdu =>
        {
            var bytes = PduCodec.Encode(pdu);
            Assert.True(PduCodec.TryDecode(bytes, out var decoded, out var error), error?.ToString());
            PduAssert.Equivalent(pdu, decoded!);
            Assert.Equal(bytes, PduCodec.Encode(decoded!));
        }, iter: 5_000, threads: 1, print: pdu => $"{pdu} source_addr={pdu.SourceAddr} tlvs={pdu.Tlvs.Count}");
    }

    [Fact]
    public void A_c_octet_string_carries_latin1_octets_unchanged()
    {
        // Fields are ASCII by specification, but a stray high octet must survive rather than become '?'.
        var submit = new SubmitSm { SourceAddr = "Caf\u00E9\u00FF", ShortMessage = Encoding.ASCII.GetBytes("x") };

        var bytes = PduCodec.Encode(submit);

        Assert.Contains((byte)0xE9, bytes);
        Assert.True(PduCodec.TryDecode(bytes, out var decoded, out _));
        Assert.Equal("Caf\u00E9\u00FF", ((SubmitSm)decoded!).SourceAddr);
    }
}
