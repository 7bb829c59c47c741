using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Instasent.SmppAdapter.Simulator;

// The one write path: every PDU goes out through the write gate, flushed once per batch.
internal sealed partial class SimulatorSession
{
    /// <summary>
    /// Encodes <paramref name="pdus"/> and flushes once. False when the connection is closing or the write failed (the
    /// connection is then reset, and what it had outstanding is resent elsewhere).
    /// </summary>
    public async ValueTask<bool> WriteAsync(IReadOnlyList<Pdu> pdus)
    {
        try
        {
            await _writeGate.WaitAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        try
        {
            if (Faults.TryConsumeMalformedPdu())
            {
                WriteMalformedDeliverSm();
            }

            foreach (var pdu in pdus)
            {
                if (pdu is SubmitSmResp { MessageId.Length: >= FieldLimits.MessageId } overlong)
                {
                    WriteOverlongSubmitSmResp(overlong);
                }
                else
                {
                    PduCodec.Encode(pdu, _output);
                }

                if (_verbose)
                {
                    _simulator.Log.LogInformation("#{Id} → {Pdu}", Id, pdu);
                }
            }
            await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Abort();
            return false;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>A submit_sm_resp whose message_id is longer than SMPP allows (<see cref="SimulatorFaults.OverlongMessageIds"/>), by hand: the codec refuses to.</summary>
    private void WriteOverlongSubmitSmResp(SubmitSmResp response)
    {
        var length = PduCodec.HeaderLength + response.MessageId.Length + 1;
        var span = _output.GetSpan(length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)CommandId.SubmitSmResp);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], (uint)response.CommandStatus);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], response.SequenceNumber);
        var written = System.Text.Encoding.ASCII.GetBytes(response.MessageId, span[PduCodec.HeaderLength..]);
        span[PduCodec.HeaderLength + written] = 0;
        _output.Advance(length);
    }

    /// <summary>
    /// A deliver_sm whose sm_length (200) runs past the end of the PDU: command_length is right, so the stream stays
    /// framed and a robust ESME answers with an error status (or generic_nack) and carries on.
    /// </summary>
    private void WriteMalformedDeliverSm()
    {
        ReadOnlySpan<byte> body =
        [
            0x00, // service_type
            0x01, 0x01, (byte)'3', (byte)'4', (byte)'6', (byte)'0', (byte)'0', 0x00, // source
            0x01, 0x01, (byte)'3', (byte)'4', (byte)'7', (byte)'0', (byte)'0', 0x00, // destination
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // esm_class .. sm_default_msg_id
            200, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', // sm_length 200, then 5 octets
        ];
        var length = PduCodec.HeaderLength + body.Length;
        var span = _output.GetSpan(length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)CommandId.DeliverSm);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], (uint)(Interlocked.Increment(ref _sequence) & 0x7FFFFFFF));
        body.CopyTo(span[PduCodec.HeaderLength..]);
        _output.Advance(length);
        Interlocked.Increment(ref Counters.MalformedPdusSent);
        _simulator.Log.LogInformation("#{Id} → malformed deliver_sm (SendMalformedPduNext fault)", Id);
    }
}
