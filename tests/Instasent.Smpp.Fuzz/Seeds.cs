using System.Text;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.Tests.Codec;

namespace Instasent.Smpp.Fuzz;

/// <summary>
/// The starting corpus and the AFL++ dictionaries: real PDUs (every type from the codec tests' samples, and a delivery
/// receipt as SMPP 3.4 Appendix B and §5.3.2 shape it) and the receipt forms SMSCs send.
/// </summary>
internal static class Seeds
{
    private static readonly string[] ReceiptTexts =
    [
        "id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello",
        "ID:abc123 SUB:1 DLVRD:1 SUBMIT DATE:240101120000 DONE DATE:240101120530 STAT:undeliv ERR:0",
        "id: 42  sub: 001 submit_date: 20240101120000 done_date: 20240101120100 stat: REJECTD err: 012 text: hi id:99",
        "id:7 stat:ENROUTE err:0",
    ];

    public static void Write(string directory)
    {
        var pdus = PduSamples.All.Values.Select(create => PduCodec.Encode(create())).Append(PduCodec.Encode(Receipt())).ToArray();
        Write(directory, "decode", pdus);
        // Three PDUs back to back, cut into 1-, 7- and 32-octet segments.
        Write(directory, "read", new byte[] { 0, 6, 31 }.Select((cut, i) => Concat([[cut], .. pdus.Skip(i * 3).Take(3)])));
        Write(directory, "receipt", ReceiptTexts.Select((text, i) => Concat([0x04, (byte)(i == 0 ? 0x0A : i), 2], Encoding.ASCII.GetBytes(text))));
        Write(directory, "message",
        [
            // Parts 2 and 1 of a UDH 8-bit concatenation, GSM 7-bit.
            Concat(Segment(0x40, 0, sar: [], step: 1, [5, 0, 3, 0x2A, 2, 2, .. "world"u8]), Segment(0x40, 0, sar: [], step: 1, [5, 0, 3, 0x2A, 2, 1, .. "hello "u8])),
            // A 16-bit reference IE after another IE, UCS-2.
            Segment(0x40, 8, sar: [], step: 0, [10, 0x24, 1, 1, 0x08, 4, 0x12, 0x34, 1, 1, 0, 0x48, 0, 0x69]),
            // SAR TLV numbers, Latin-9.
            Concat(Segment(0, 3, sar: [0, 7, 2, 1], step: 0, "caf"u8), Segment(0, 3, sar: [0, 7, 2, 2], step: 90, [0xE9, 0xA4])),
        ]);
        Write(directory, "text",
        [
            [0, .. "@£$¥"u8.ToArray().Select(b => (byte)(b & 0x7F)), 0x1B, 0x65, 0x1B, 0x14, 0x1B, 0x0A],
            [3, .. "caf"u8, 0xE9, 0xA4, 0xBC],
            [8, 0xD8, 0x3D, 0xDE, 0x00, 0, 0x41],
            [1, .. "plain ascii"u8],
        ]);
        File.WriteAllLines(Path.Combine(directory, "receipt.dict"),
            ["id:", "sub:", "dlvrd:", "submit date:", "done date:", "submit_date:", "stat:", "err:", "text:", "DELIVRD", "UNDELIV", "2401011200", "20240101120000"],
            Encoding.ASCII);
        File.WriteAllLines(Path.Combine(directory, "decode.dict"),
            Enum.GetValues<CommandId>().Select(id => AflToken(BitConverter.GetBytes((uint)id).Reverse().ToArray()))
                .Concat(Enum.GetValues<TlvTag>().Select(tag => AflToken(BitConverter.GetBytes((ushort)tag).Reverse().ToArray()))).Distinct(),
            Encoding.ASCII);
    }

    private static DeliverSm Receipt()
    {
        var deliver = new DeliverSm
        {
            SequenceNumber = 16, SourceAddrTon = Ton.International, SourceAddrNpi = Npi.Isdn, SourceAddr = "34600000000",
            DestAddrTon = Ton.Alphanumeric, DestinationAddr = "Instasent", EsmClass = 0x04,
            ShortMessage = Encoding.ASCII.GetBytes(ReceiptTexts[0]),
        };
        deliver.Tlvs.ReceiptedMessageId = "0123456789";
        deliver.Tlvs.MessageState = 2;
        return deliver;
    }

    // The "message" target's segment layout: length, esm_class, data_coding, SAR (first octet 0: none), clock step.
    private static byte[] Segment(byte esmClass, byte dataCoding, byte[] sar, byte step, ReadOnlySpan<byte> shortMessage) =>
        [(byte)shortMessage.Length, esmClass, dataCoding, .. sar.Length == 0 ? new byte[4] : sar, step, .. shortMessage];

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static string AflToken(byte[] bytes) => "\"" + string.Concat(bytes.Select(b => $"\\x{b:X2}")) + "\"";

    private static void Write(string directory, string target, IEnumerable<byte[]> seeds)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, target)).FullName;
        var i = 0;
        foreach (var seed in seeds)
        {
            File.WriteAllBytes(Path.Combine(folder, $"seed-{i++:D2}"), seed);
        }
    }
}
