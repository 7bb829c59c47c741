using System.Buffers;
using System.IO.Pipelines;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>Whole PDUs framed out of a real <see cref="Pipe"/>, however the bytes arrive.</summary>
public class FramingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Pdus_written_one_octet_at_a_time_into_small_segments_are_read_whole()
    {
        var pdus = PduSamples.All.Values.Select(create => create()).ToList();
        var bytes = pdus.SelectMany(PduCodec.Encode).ToArray();
        // Tiny segments so PDUs straddle many of them (the reader copies a multi-segment PDU once).
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 16, pauseWriterThreshold: 0));
        using var cts = new CancellationTokenSource(Timeout);

        var reading = ReadAllAsync(pipe.Reader, PduCodec.DefaultMaxCommandLength, cts.Token);
        foreach (var octet in bytes)
        {
            pipe.Writer.GetSpan(1)[0] = octet;
            pipe.Writer.Advance(1);
            await pipe.Writer.FlushAsync(cts.Token);
        }
        await pipe.Writer.CompleteAsync();
        var (read, sawMultiSegment) = await reading;

        Assert.True(sawMultiSegment, "no PDU spanned two segments; the test would not cover the copying path");
        Assert.Equal(pdus.Count, read.Count);
        for (var i = 0; i < pdus.Count; i++)
        {
            PduAssert.Equivalent(pdus[i], read[i]);
        }
    }

    [Fact]
    public void A_pdu_split_over_one_segment_per_octet_is_read_whole()
    {
        var submit = PduSamples.All["submit_sm"]();
        var bytes = PduCodec.Encode(submit);
        var buffer = OneSegmentPerOctet(bytes);

        var status = PduCodec.TryRead(ref buffer, out var pdu, out var error);

        Assert.True(status == PduReadStatus.Pdu, $"{status}: {error}");

        PduAssert.Equivalent(submit, pdu!);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void A_partial_pdu_needs_more_data_and_consumes_nothing()
    {
        var bytes = PduCodec.Encode(PduSamples.All["deliver_sm"]());

        foreach (var cut in new[] { 0, 3, 4, 15, 16, bytes.Length - 1 })
        {
            var buffer = OneSegmentPerOctet(bytes[..cut]);
            Assert.Equal(PduReadStatus.NeedMoreData, PduCodec.TryRead(ref buffer, out _, out var error));
            Assert.Null(error);
            Assert.Equal(cut, buffer.Length);
        }
    }

    [Fact]
    public async Task Several_pdus_in_one_write_are_read_in_order()
    {
        var pdus = Enumerable.Range(1, 50).Select(i => (Pdu)new EnquireLink { SequenceNumber = (uint)i })
            .Append(PduSamples.All["submit_multi"]()).Append(PduSamples.All["data_sm"]()).ToList();
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource(Timeout);

        await pipe.Writer.WriteAsync(pdus.SelectMany(PduCodec.Encode).ToArray(), cts.Token);
        await pipe.Writer.CompleteAsync();
        var (read, _) = await ReadAllAsync(pipe.Reader, PduCodec.DefaultMaxCommandLength, cts.Token);

        Assert.Equal(pdus.Select(p => (p.CommandId, p.SequenceNumber)), read.Select(p => (p.CommandId, p.SequenceNumber)));
    }

    [Fact]
    public async Task A_pdu_of_exactly_the_maximum_command_length_is_read()
    {
        var data = DataSmOfLength(PduCodec.DefaultMaxCommandLength);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using var cts = new CancellationTokenSource(Timeout);

        Assert.Equal(PduCodec.DefaultMaxCommandLength, PduCodec.Encode(data, pipe.Writer));
        await pipe.Writer.CompleteAsync();
        var (read, _) = await ReadAllAsync(pipe.Reader, PduCodec.DefaultMaxCommandLength, cts.Token);

        PduAssert.Equivalent(data, Assert.Single(read));
    }

    [Fact]
    public async Task A_pdu_one_octet_over_the_maximum_is_refused_and_loses_the_stream()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using var cts = new CancellationTokenSource(Timeout);
        PduCodec.Encode(DataSmOfLength(PduCodec.DefaultMaxCommandLength + 1), pipe.Writer);
        await pipe.Writer.FlushAsync(cts.Token);

        var result = await pipe.Reader.ReadAsync(cts.Token);
        var buffer = result.Buffer;
        var status = PduCodec.TryRead(ref buffer, out _, out var error);

        Assert.Equal(PduReadStatus.Error, status);
        Assert.Equal(CommandStatus.ESME_RINVCMDLEN, error!.Status);
        Assert.False(error.StreamInSync);
        Assert.Equal(result.Buffer.Length, buffer.Length);
    }

    [Fact]
    public void A_smaller_configured_maximum_is_enforced_at_its_boundary()
    {
        var atLimit = new ReadOnlySequence<byte>(PduCodec.Encode(DataSmOfLength(300)));
        var overLimit = new ReadOnlySequence<byte>(PduCodec.Encode(DataSmOfLength(301)));

        Assert.Equal(PduReadStatus.Pdu, PduCodec.TryRead(ref atLimit, out _, out _, maxCommandLength: 300));
        Assert.Equal(PduReadStatus.Error, PduCodec.TryRead(ref overLimit, out _, out var error, maxCommandLength: 300));
        Assert.Equal(CommandStatus.ESME_RINVCMDLEN, error!.Status);
        Assert.True(PduCodec.TryDecode(PduCodec.Encode(DataSmOfLength(300)), out _, out _, maxCommandLength: 300));
        Assert.False(PduCodec.TryDecode(PduCodec.Encode(DataSmOfLength(301)), out _, out _, maxCommandLength: 300));
    }

    [Fact]
    public void Pdus_encoded_one_after_another_into_a_buffer_writer_are_the_same_bytes_as_alone()
    {
        var first = PduSamples.All["bind_transceiver"]();
        var second = PduSamples.All["submit_sm"]();
        var output = new ArrayBufferWriter<byte>(1);

        var written = PduCodec.Encode(first, output) + PduCodec.Encode(second, output);

        Assert.Equal(output.WrittenCount, written);
        Assert.Equal([.. PduCodec.Encode(first), .. PduCodec.Encode(second)], output.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task A_pdu_encoded_into_a_pipe_writer_reads_back_from_the_pipe()
    {
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource(Timeout);
        var receipt = PduSamples.All["deliver_sm"]();

        PduCodec.Encode(receipt, pipe.Writer);
        await pipe.Writer.FlushAsync(cts.Token);
        await pipe.Writer.CompleteAsync();
        var (read, _) = await ReadAllAsync(pipe.Reader, PduCodec.DefaultMaxCommandLength, cts.Token);

        PduAssert.Equivalent(receipt, Assert.Single(read));
    }

    /// <summary>A data_sm whose message_payload makes it exactly <paramref name="commandLength"/> octets.</summary>
    private static DataSm DataSmOfLength(int commandLength)
    {
        var data = new DataSm { SequenceNumber = 77, SourceAddr = "Instasent", DestinationAddr = "34600000000" };
        var fixedPart = PduCodec.GetEncodedLength(data) + 4; // + the message_payload TLV header
        data.Tlvs.MessagePayload = new byte[commandLength - fixedPart];
        Assert.Equal(commandLength, PduCodec.GetEncodedLength(data));
        return data;
    }

    /// <summary>The read loop a session runs: whole PDUs out, the rest left for the next read.</summary>
    private static async Task<(List<Pdu> Pdus, bool SawMultiSegment)> ReadAllAsync(PipeReader reader, int maxCommandLength, CancellationToken ct)
    {
        var pdus = new List<Pdu>();
        var sawMultiSegment = false;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            while (true)
            {
                var before = buffer;
                var status = PduCodec.TryRead(ref buffer, out var pdu, out var error, maxCommandLength);
                if (status == PduReadStatus.NeedMoreData)
                {
                    break;
                }

                Assert.Equal(PduReadStatus.Pdu, status);
                Assert.Null(error);
                sawMultiSegment |= !before.Slice(0, before.Length - buffer.Length).IsSingleSegment;
                pdus.Add(pdu!);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                Assert.Equal(0, buffer.Length);
                break;
            }
        }
        await reader.CompleteAsync();
        return (pdus, sawMultiSegment);
    }

    private static ReadOnlySequence<byte> OneSegmentPerOctet(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
