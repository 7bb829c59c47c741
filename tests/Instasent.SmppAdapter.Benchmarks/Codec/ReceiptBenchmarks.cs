using BenchmarkDotNet.Attributes;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;

namespace Instasent.SmppAdapter.Benchmarks.Codec;

/// <summary>
/// Reading a delivery receipt's text form, as the adapter does for every receipt (once per message sent):
/// <c>dotnet run -c Release --project tests/Instasent.SmppAdapter.Benchmarks -- --filter '*ReceiptBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ReceiptBenchmarks
{
    private readonly DeliveryReceiptParser _parser = new();
    private DeliverSm _receipt = null!;

    [GlobalSetup]
    public void Setup() => _receipt = CodecBenchmarks.CreateReceipt();

    [Benchmark]
    public DeliveryReceipt? Parse_appendix_b_receipt_with_tlvs() =>
        _parser.TryParse(_receipt.EsmClass, _receipt.ShortMessage.Span, _receipt.Tlvs.ReceiptedMessageId, _receipt.Tlvs.MessageState,
            (_receipt.Tlvs.NetworkErrorCode ?? default).Span, out var receipt) ? receipt : null;

    [Benchmark]
    public DeliveryReceipt? Parse_appendix_b_receipt_text_only() =>
        _parser.TryParse(_receipt.EsmClass, _receipt.ShortMessage.Span, null, null, default, out var receipt) ? receipt : null;
}
