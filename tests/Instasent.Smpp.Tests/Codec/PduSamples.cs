using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>One PDU of every type with every field set to a value that is not its default.</summary>
internal static class PduSamples
{
    public static readonly IReadOnlyDictionary<string, Func<Pdu>> All = new Dictionary<string, Func<Pdu>>
    {
        ["generic_nack"] = () => new GenericNack { SequenceNumber = 1, CommandStatus = CommandStatus.ESME_RINVCMDID },
        ["bind_receiver"] = () => Bind(new BindReceiver()),
        ["bind_receiver_resp"] = () => BindResp(new BindReceiverResp()),
        ["bind_transmitter"] = () => Bind(new BindTransmitter()),
        ["bind_transmitter_resp"] = () => BindResp(new BindTransmitterResp()),
        ["bind_transceiver"] = () => Bind(new BindTransceiver()),
        ["bind_transceiver_resp"] = () => BindResp(new BindTransceiverResp()),
        ["outbind"] = () => new Outbind { SequenceNumber = 2, SystemId = "smsc-outbind12", Password = "secret12" },
        ["query_sm"] = () => new QuerySm
        {
            SequenceNumber = 3, MessageId = new string('a', 64), SourceAddrTon = Ton.International,
            SourceAddrNpi = Npi.Isdn, SourceAddr = "34600000001",
        },
        ["query_sm_resp"] = () => new QuerySmResp
        {
            SequenceNumber = 3, MessageId = "5A3F00", FinalDate = "240102030405600+", MessageState = 2, ErrorCode = 7,
        },
        ["submit_sm"] = () => ShortMessage(new SubmitSm()),
        ["submit_sm_resp"] = () => new SubmitSmResp { SequenceNumber = 4, MessageId = new string('9', 64) },
        ["deliver_sm"] = () => ShortMessage(new DeliverSm()),
        ["deliver_sm_resp"] = () => new DeliverSmResp { SequenceNumber = 5, MessageId = "x" },
        ["unbind"] = () => new Unbind { SequenceNumber = 6 },
        ["unbind_resp"] = () => new UnbindResp { SequenceNumber = 6 },
        ["replace_sm"] = () => new ReplaceSm
        {
            SequenceNumber = 7, MessageId = "42", SourceAddrTon = Ton.National, SourceAddrNpi = Npi.National,
            SourceAddr = "600000001", ScheduleDeliveryTime = "000001000000000R", ValidityPeriod = "240102030405604-",
            RegisteredDelivery = 1, SmDefaultMsgId = 3, ShortMessage = "replaced"u8.ToArray(),
        },
        ["replace_sm_resp"] = () => new ReplaceSmResp { SequenceNumber = 7, CommandStatus = CommandStatus.ESME_RREPLACEFAIL },
        ["cancel_sm"] = () => new CancelSm
        {
            SequenceNumber = 8, ServiceType = "CMT", MessageId = "42", SourceAddrTon = Ton.Alphanumeric,
            SourceAddrNpi = (Npi)5, SourceAddr = "Instasent", DestAddrTon = Ton.International,
            DestAddrNpi = Npi.Isdn, DestinationAddr = "34600000002",
        },
        ["cancel_sm_resp"] = () => new CancelSmResp { SequenceNumber = 8 },
        ["enquire_link"] = () => new EnquireLink { SequenceNumber = 9 },
        ["enquire_link_resp"] = () => new EnquireLinkResp { SequenceNumber = 9 },
        ["submit_multi"] = () => new SubmitMulti
        {
            SequenceNumber = 10, ServiceType = "WAP", SourceAddrTon = Ton.Alphanumeric, SourceAddrNpi = Npi.Telex,
            SourceAddr = "Instasent",
            Destinations =
            [
                MultiDestination.Sme(Ton.International, Npi.Isdn, "34600000003"),
                MultiDestination.List("customers"),
                MultiDestination.Sme(Ton.National, Npi.National, "600000004"),
            ],
            EsmClass = EsmClass.UdhIndicator, ProtocolId = 0x7F, PriorityFlag = 1,
            ScheduleDeliveryTime = "240102030405600+", ValidityPeriod = "000002000000000R", RegisteredDelivery = 1,
            ReplaceIfPresentFlag = 1, DataCoding = 8, SmDefaultMsgId = 2,
            ShortMessage = new byte[] { 5, 0, 3, 1, 1, 1, 0, 0x48, 0, 0x69 },
        },
        ["submit_multi_resp"] = () => new SubmitMultiResp
        {
            SequenceNumber = 10, MessageId = "msg-10",
            UnsuccessSmes =
            [
                new UnsuccessSme(Ton.International, Npi.Isdn, "34600000003", CommandStatus.ESME_RINVDSTADR),
                new UnsuccessSme(Ton.National, Npi.National, "600000004", CommandStatus.ESME_RTHROTTLED),
            ],
        },
        ["alert_notification"] = () => new AlertNotification
        {
            SequenceNumber = 11, SourceAddrTon = Ton.International, SourceAddrNpi = Npi.Isdn,
            SourceAddr = new string('7', 64), EsmeAddrTon = Ton.NetworkSpecific, EsmeAddrNpi = Npi.Internet,
            EsmeAddr = "esme.example",
        }.With(p => p.Tlvs.Set(Tlv.FromByte(TlvTag.MsAvailabilityStatus, 1))),
        ["data_sm"] = () => new DataSm
        {
            SequenceNumber = 12, ServiceType = "USSD", SourceAddrTon = Ton.Alphanumeric, SourceAddrNpi = Npi.Private,
            SourceAddr = new string('s', 64), DestAddrTon = Ton.International, DestAddrNpi = Npi.Isdn,
            DestinationAddr = new string('5', 64), EsmClass = 0x03, RegisteredDelivery = 0x11, DataCoding = 0x08,
        }.With(p =>
        {
            p.Tlvs.MessagePayload = new byte[300];
            p.Tlvs.SourcePort = 2948;
            p.Tlvs.DestinationPort = 9200;
            p.Tlvs.Set(new Tlv(0x1501, new byte[] { 0xCA, 0xFE }));
        }),
        ["data_sm_resp"] = () => new DataSmResp { SequenceNumber = 12, MessageId = "data-12" },
        // SMPP 5.0 §4.6.1: broadcast_sm is recognised but not modelled; its body travels as bytes.
        ["broadcast_sm"] = () => new RawPdu(CommandId.BroadcastSm) { SequenceNumber = 13, Body = new byte[] { 0, 1, 1, 0x41, 0, 0x33, 0 } },
    };

    private static T With<T>(this T pdu, Action<T> set)
    {
        set(pdu);
        return pdu;
    }

    private static Pdu Bind(BindRequest bind)
    {
        bind.SequenceNumber = 0x7FFFFFFF;
        bind.SystemId = new string('u', 15);
        bind.Password = new string('p', 8);
        bind.SystemType = new string('t', 12);
        bind.InterfaceVersion = InterfaceVersion.V50;
        bind.AddrTon = Ton.International;
        bind.AddrNpi = Npi.Isdn;
        bind.AddressRange = "^346[0-9]+$";
        return bind;
    }

    private static Pdu BindResp(BindResponse resp)
    {
        resp.SequenceNumber = 0x7FFFFFFF;
        resp.SystemId = "InstasentSMSC";
        resp.Tlvs.ScInterfaceVersion = InterfaceVersion.V34;
        return resp;
    }

    private static Pdu ShortMessage(ShortMessagePdu sm)
    {
        sm.SequenceNumber = 0x01020304;
        sm.ServiceType = "CMT";
        sm.SourceAddrTon = Ton.Alphanumeric;
        sm.SourceAddrNpi = (Npi)2;
        sm.SourceAddr = new string('A', 20);
        sm.DestAddrTon = Ton.International;
        sm.DestAddrNpi = Npi.Isdn;
        sm.DestinationAddr = new string('3', 20);
        sm.EsmClass = EsmClass.UdhIndicator | EsmClass.ReplyPath;
        sm.ProtocolId = 0x41;
        sm.PriorityFlag = 3;
        sm.ScheduleDeliveryTime = "240102030405600+";
        sm.ValidityPeriod = "000001000000000R";
        sm.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
        sm.ReplaceIfPresentFlag = 1;
        sm.DataCoding = 0xF5;
        sm.SmDefaultMsgId = 0xFE;
        sm.ShortMessage = Enumerable.Range(0, 254).Select(i => (byte)i).ToArray();
        sm.Tlvs.UserMessageReference = 0xBEEF;
        sm.Tlvs.Set(new Tlv(0x1400, new byte[] { 1, 2, 3 }));
        return sm;
    }
}
