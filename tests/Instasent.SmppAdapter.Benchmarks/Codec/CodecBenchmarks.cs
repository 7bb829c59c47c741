using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.SmppAdapter.Benchmarks.Codec;

/// <summary>
/// The codec's hot paths: a 160-character GSM submit_sm (one full single-part SMS) and a delivery receipt.
/// Goals: encoding into a reused buffer allocates nothing; submit_sm encode + decode under 250 ns.
/// The same submit_sm is measured against node-smpp by <c>node/codec-bench.js</c>.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    /// <summary>160 characters of the GSM 7-bit default alphabet, one octet each (data_coding 0, unpacked).</summary>
    public const string GsmText =
        "Your Instasent verification code is 482913. It expires in 10 minutes. If you did not request this code, please ignore this message and contact support. Thanks!!";

    private readonly ArrayBufferWriter<byte> _output = new(512);
    private readonly byte[] _span = new byte[512];
    private SubmitSm _submit = null!;
    private byte[] _submitBytes = null!;
    private DeliverSm _receipt = null!;
    private byte[] _receiptBytes = null!;

    public static SubmitSm CreateSubmitSm() => new()
    {
        SequenceNumber = 1,
        SourceAddrTon = Ton.Alphanumeric,
        SourceAddrNpi = Npi.Unknown,
        SourceAddr = "Instasent",
        DestAddrTon = Ton.International,
        DestAddrNpi = Npi.Isdn,
        DestinationAddr = "34600000000",
        RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure,
        DataCoding = 0,
        ShortMessage = Encoding.ASCII.GetBytes(GsmText),
    };

    public static DeliverSm CreateReceipt()
    {
        var receipt = new DeliverSm
        {
            SequenceNumber = 2,
            SourceAddrTon = Ton.International,
            SourceAddrNpi = Npi.Isdn,
            SourceAddr = "34600000000",
            DestAddrTon = Ton.Alphanumeric,
            DestinationAddr = "Instasent",
            EsmClass = EsmClass.SmscDeliveryReceipt,
            ShortMessage = Encoding.ASCII.GetBytes(
                "id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Your Instasent verif"),
        };
        receipt.Tlvs.ReceiptedMessageId = "0123456789";
        receipt.Tlvs.MessageState = 2;
        return receipt;
    }

    [GlobalSetup]
    public void Setup()
    {
        _submit = CreateSubmitSm();
        _submitBytes = PduCodec.Encode(_submit);
        _receipt = CreateReceipt();
        _receiptBytes = PduCodec.Encode(_receipt);
    }

    [Benchmark]
    public int Encode_submit_sm_into_ArrayBufferWriter()
    {
        _output.ResetWrittenCount();
        return PduCodec.Encode(_submit, _output);
    }

    [Benchmark]
    public int Encode_submit_sm_into_span() => PduCodec.Encode(_submit, _span);

    [Benchmark]
    public Pdu? Decode_submit_sm()
    {
        PduCodec.TryDecode(_submitBytes, out var pdu, out _);
        return pdu;
    }

    [Benchmark]
    public Pdu? Encode_and_decode_submit_sm()
    {
        var length = PduCodec.Encode(_submit, _span);
        PduCodec.TryDecode(_span.AsSpan(0, length), out var pdu, out _);
        return pdu;
    }

    [Benchmark]
    public int Encode_receipt_deliver_sm()
    {
        _output.ResetWrittenCount();
        return PduCodec.Encode(_receipt, _output);
    }

    [Benchmark]
    public Pdu? Decode_receipt_deliver_sm()
    {
        PduCodec.TryDecode(_receiptBytes, out var pdu, out _);
        return pdu;
    }
}
