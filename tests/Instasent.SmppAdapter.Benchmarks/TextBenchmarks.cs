using BenchmarkDotNet.Attributes;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>Outbound text hot path: GSM 7-bit encoding and segmentation.</summary>
[MemoryDiagnoser]
public class TextBenchmarks
{
    private readonly string _gsm160 = string.Concat(Enumerable.Repeat("Your code is 123456. {Instasent} ", 5))[..160];
    private readonly string _gsm1000 = string.Concat(Enumerable.Repeat("Hello from Instasent, your order [#42] ships today. ", 20))[..1000];
    private readonly string _ucs1000 = string.Concat(Enumerable.Repeat("Hola 😀 tu pedido está en camino, código 42. ", 25))[..1000];
    private readonly byte[] _buffer = new byte[320];

    [Benchmark]
    public int Gsm7_encode_160_chars() => Gsm7.Encode(_gsm160, _buffer);

    [Benchmark]
    public SegmentedMessage Split_1000_chars_gsm7_udh8() => MessageSplitter.Split(_gsm1000, SmsAlphabet.Gsm7, SegmentationMode.Udh8, 42);

    [Benchmark]
    public SegmentedMessage Split_1000_chars_ucs2_udh8() => MessageSplitter.Split(_ucs1000, SmsAlphabet.Ucs2, SegmentationMode.Udh8, 42, maxSegments: 16);

    [Benchmark]
    public int Count_segments_1000_chars_gsm7() => MessageSplitter.CountSegments(_gsm1000, SmsAlphabet.Gsm7, SegmentationMode.Udh8);
}
