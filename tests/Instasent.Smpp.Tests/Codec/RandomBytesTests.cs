using System.Buffers;
using System.Buffers.Binary;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;
using Xunit.Abstractions;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>
/// Bounded fuzzing: seeded random inputs and mutations of valid PDUs through <see cref="PduCodec.TryDecode"/> and
/// <see cref="PduCodec.TryRead"/>. Nothing throws, every outcome is consistent, and decoding one input of at most
/// 512 octets allocates a bounded amount.
/// </summary>
public class RandomBytesTests(ITestOutputHelper output)
{
    private const int MaxInputLength = 512;

    // The PDU object, its strings and arrays, and the error record with its message stay well under this for
    // 512 octets; an unbounded allocation (trusting a length from the wire) would not.
    private const long MaxAllocatedBytesPerDecode = 4 * 1024;

    private static readonly uint[] CommandIds = Enum.GetValues<CommandId>().Select(id => (uint)id).Append(0x777u).ToArray();

    [Fact]
    public void Fifty_thousand_random_inputs_never_throw_and_allocate_a_bounded_amount()
    {
        var random = new Random(0x5A17);
        var fuzz = new Fuzz();

        for (var i = 0; i < 50_000; i++)
        {
            var bytes = new byte[random.Next(0, MaxInputLength + 1)];
            random.NextBytes(bytes);
            // Every other input gets a plausible header, so the body decoders run and not only the length check.
            if (i % 2 == 0 && bytes.Length >= PduCodec.HeaderLength)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)bytes.Length);
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), CommandIds[random.Next(CommandIds.Length)]);
            }
            fuzz.Check(bytes, random);
        }

        output.WriteLine(fuzz.ToString());
        Assert.True(fuzz.Decoded > 100, fuzz.ToString());
        Assert.True(fuzz.InSyncErrors > 1000, fuzz.ToString());
    }

    [Fact]
    public void Twenty_thousand_mutations_of_valid_pdus_never_throw_and_allocate_a_bounded_amount()
    {
        var random = new Random(0xC0DEC);
        var valid = PduSamples.All.Values.Select(create => PduCodec.Encode(create())).ToArray();
        Assert.All(valid, v => Assert.True(v.Length <= MaxInputLength));
        var fuzz = new Fuzz();

        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])valid[random.Next(valid.Length)].Clone();
            bytes = (i % 4) switch
            {
                0 => FlipBits(bytes, random),
                1 => Truncate(bytes, random, keepLengthField: random.Next(2) == 0),
                2 => EditLengthField(bytes, random),
                _ => FlipBits(Truncate(bytes, random, keepLengthField: false), random),
            };
            fuzz.Check(bytes, random);
        }

        output.WriteLine(fuzz.ToString());
        Assert.True(fuzz.Decoded > 1000, fuzz.ToString());
        Assert.True(fuzz.InSyncErrors > 1000, fuzz.ToString());
        Assert.True(fuzz.OutOfSyncErrors > 100, fuzz.ToString());
    }

    private static byte[] FlipBits(byte[] bytes, Random random)
    {
        for (var n = random.Next(1, 9); n > 0 && bytes.Length > 0; n--)
        {
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        }

        return bytes;
    }

    private static byte[] Truncate(byte[] bytes, Random random, bool keepLengthField)
    {
        var cut = bytes[..random.Next(0, bytes.Length)];
        // Either the length still claims the whole PDU (a short read) or it matches the cut (a short body).
        if (!keepLengthField && cut.Length >= 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(cut, (uint)cut.Length);
        }

        return cut;
    }

    private static byte[] EditLengthField(byte[] bytes, Random random)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint[] candidates = [0, 15, 16, length - 1, length + 1, (uint)random.Next(), uint.MaxValue, 0x10001];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, candidates[random.Next(candidates.Length)]);
        return bytes;
    }

    private sealed class Fuzz
    {
        public int Decoded { get; private set; }
        public int InSyncErrors { get; private set; }
        public int OutOfSyncErrors { get; private set; }
        public long MaxAllocated { get; private set; }

        public void Check(byte[] bytes, Random random)
        {
            try
            {
                CheckDecode(bytes);
                CheckRead(bytes, random.Next(0, bytes.Length + 1));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"input {Convert.ToHexString(bytes)} threw {e}");
            }
        }

        private void CheckDecode(byte[] bytes)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var ok = PduCodec.TryDecode(bytes, out var pdu, out var error);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > MaxAllocatedBytesPerDecode)
            {
                // The first decode down a path the run has not taken yet also pays for one-time initialisation (a
                // cached format, a lazily built table). What trusting a length from the wire allocates comes back
                // every time, so the bound is held against a second decode of the same bytes.
                before = GC.GetAllocatedBytesForCurrentThread();
                PduCodec.TryDecode(bytes, out _, out _);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            MaxAllocated = Math.Max(MaxAllocated, allocated);
            Assert.True(allocated <= MaxAllocatedBytesPerDecode, $"decoding {bytes.Length} octets allocated {allocated} bytes: {Convert.ToHexString(bytes)}");
            if (ok)
            {
                Assert.NotNull(pdu);
                Assert.Null(error);
                Decoded++;
                CheckReEncodes(pdu);
            }
            else
            {
                Assert.Null(pdu);
                Assert.NotNull(error);
                Assert.NotEqual(CommandStatus.ESME_ROK, error.Status);
                if (error.StreamInSync)
                {
                    InSyncErrors++;
                }
                else
                {
                    OutOfSyncErrors++;
                }
            }
        }

        /// <summary>What the decoder accepts, the encoder writes, and that decodes to the same bytes again.</summary>
        private static void CheckReEncodes(Pdu pdu)
        {
            byte[] again;
            try
            {
                again = PduCodec.Encode(pdu);
            }
            catch (PduFieldException)
            {
                // Accepting more than we send is deliberate: 255 destinations in submit_multi, for one.
                return;
            }
            Assert.True(PduCodec.TryDecode(again, out var redecoded, out var error), error?.ToString());
            Assert.Equal(again, PduCodec.Encode(redecoded!));
        }

        /// <summary>The framing reader over the same octets split in two segments at <paramref name="split"/>.</summary>
        private static void CheckRead(byte[] bytes, int split)
        {
            var buffer = TwoSegments(bytes, split);
            // Each successful step consumes at least a 16-octet header, so this bounds the loop.
            for (var step = 0; step <= bytes.Length / PduCodec.HeaderLength; step++)
            {
                var length = buffer.Length;
                var status = PduCodec.TryRead(ref buffer, out var pdu, out var error);
                switch (status)
                {
                    case PduReadStatus.NeedMoreData:
                        Assert.Equal(length, buffer.Length);
                        return;
                    case PduReadStatus.Error when !error!.StreamInSync:
                        Assert.Equal(length, buffer.Length);
                        return;
                    default:
                        Assert.Equal(status == PduReadStatus.Pdu, pdu is not null);
                        Assert.True(length - buffer.Length >= PduCodec.HeaderLength);
                        break;
                }
            }
            Assert.Fail("TryRead kept consuming past the input");
        }

        private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
        {
            if (split == 0 || split == bytes.Length)
            {
                return new ReadOnlySequence<byte>(bytes);
            }

            var first = new Segment(bytes.AsMemory(0, split), 0);
            var second = new Segment(bytes.AsMemory(split), split);
            first.SetNext(second);
            return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
        }

        public override string ToString() =>
            $"decoded {Decoded}, in-sync errors {InSyncErrors}, out-of-sync errors {OutOfSyncErrors}, max allocated per decode {MaxAllocated} bytes";
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
