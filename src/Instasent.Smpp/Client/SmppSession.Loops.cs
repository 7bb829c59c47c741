using System.Net.Sockets;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

// The two loops that own the socket: one reads and frames PDUs, one writes everything the session sends.
public sealed partial class SmppSession
{
    // Flush mid-batch past this much, so a burst never buffers without bound before reaching the socket.
    private const int FlushThreshold = 64 * 1024;

    private async Task ReadLoopAsync()
    {
        var reader = _reader!;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    break;
                }

                if (!buffer.IsEmpty)
                {
                    TouchActivity();
                }

                while (true)
                {
                    var status = PduCodec.TryRead(ref buffer, out var pdu, out var error, Options.MaxCommandLength);
                    if (status == PduReadStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == PduReadStatus.Pdu)
                    {
                        RecordPdu(pdu!, Tags.Received);
                        var dispatched = Dispatch(pdu!);
                        if (!dispatched.IsCompletedSuccessfully)
                        {
                            await dispatched.ConfigureAwait(false);
                        }
                    }
                    else if (error!.StreamInSync)
                    {
                        var answered = AnswerUndecodable(error);
                        if (!answered.IsCompletedSuccessfully)
                        {
                            await answered.ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        reader.AdvanceTo(buffer.Start);
                        Abort(SmppCloseReason.ProtocolError, $"undecodable bytes from the SMSC: {error}", error.Status, null);
                        return;
                    }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    var detail = buffer.IsEmpty ? "the SMSC closed the connection" : $"the SMSC closed the connection in the middle of a PDU ({buffer.Length} octets unread)";
                    Abort(SmppCloseReason.NetworkError, detail, null, null);
                    return;
                }
            }
        }
        catch (Exception e)
        {
            // Reading a socket Abort has closed ends here too; then the reason is already set and this is a no-op.
            Abort(SmppCloseReason.NetworkError, $"reading from the SMSC failed: {e.Message}", null, e);
        }
        finally
        {
            await CompleteQuietlyAsync(reader.CompleteAsync()).ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var queue = _outbound.Reader;
        var writer = _writer!;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                var closeAfter = false;
                while (!closeAfter && queue.TryRead(out var item))
                {
                    // A request that timed out (or was failed by a close) while queued is never sent: its caller was told so.
                    if (item.Pending is { } pending && !pending.TryMarkSent(item.WriteToken))
                    {
                        continue;
                    }

                    PduCodec.Encode(item.Pdu, writer);
                    RecordPdu(item.Pdu, Tags.Sent);
                    closeAfter = item.CloseAfterWrite;
                    if (writer.UnflushedBytes >= FlushThreshold)
                    {
                        await writer.FlushAsync().ConfigureAwait(false);
                    }
                }
                await writer.FlushAsync().ConfigureAwait(false);
                TouchActivity();
                if (closeAfter)
                {
                    Abort(SmppCloseReason.RemoteUnbind, "the SMSC unbound", null, null);
                    break;
                }
            }
        }
        catch (Exception e)
        {
            Abort(SmppCloseReason.NetworkError, $"writing to the SMSC failed: {e.Message}", null, e);
        }
        finally
        {
            // Completing flushes what is left; on a closed socket that fails, and nothing is waiting for it any more.
            await CompleteQuietlyAsync(writer.CompleteAsync()).ConfigureAwait(false);
        }
    }

    private static async ValueTask CompleteQuietlyAsync(ValueTask completion)
    {
        try
        {
            await completion.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
            // The connection is gone; the session has already closed with its reason.
        }
    }

    /// <summary>Queues a PDU that is not a request we wait on (a response, generic_nack); dropped once the session is closed.</summary>
    private ValueTask EnqueueAsync(Pdu pdu, bool closeAfterWrite = false)
    {
        var item = new OutboundPdu(pdu, CloseAfterWrite: closeAfterWrite);
        return _outbound.Writer.TryWrite(item) ? default : EnqueueSlowAsync(item);
    }

    private ValueTask Dispatch(Pdu pdu)
    {
        if (pdu.IsResponse)
        {
            OnResponse(pdu);
            return default;
        }
        switch (pdu.CommandId)
        {
            case CommandId.EnquireLink:
                // Answered by the session itself, ahead of anything the handler is doing.
                return EnqueueAsync(pdu.CreateResponse()!);
            case CommandId.Unbind:
                return OnRemoteUnbind(pdu);
            case CommandId.DeliverSm or CommandId.DataSm or CommandId.AlertNotification:
                return OnInboundRequest(pdu);
            default:
                // SMPP 3.4 §4.3: a command this ESME does not support is answered generic_nack ESME_RINVCMDID.
                Log.UnsupportedRequest(_logger, SessionId, pdu.CommandId.Describe(), pdu.SequenceNumber);
                return EnqueueAsync(new GenericNack { CommandStatus = CommandStatus.ESME_RINVCMDID, SequenceNumber = pdu.SequenceNumber });
        }
    }

    /// <summary>
    /// A PDU that did not decode but whose length was sound: answer it and read on. A known request gets its own
    /// response carrying the error's status; anything else gets generic_nack (SMPP 3.4 §4.3).
    /// </summary>
    private ValueTask AnswerUndecodable(PduDecodeError error)
    {
        Log.UndecodablePdu(_logger, SessionId, error.ToString());
        var sequence = error.SequenceNumber ?? 0;
        if (error.CommandId is { } id && id.IsResponse())
        {
            OnUndecodableResponse(sequence, error);
        }
        else if (error.CommandId is { } request && PduCodec.Create(request)?.CreateResponse(error.Status) is { } response)
        {
            response.SequenceNumber = sequence;
            return EnqueueAsync(response);
        }
        return EnqueueAsync(new GenericNack { CommandStatus = error.Status, SequenceNumber = sequence });
    }

    private ValueTask OnRemoteUnbind(Pdu unbind)
    {
        bool first;
        lock (_sync)
        {
            first = !_closed && !_remoteUnbind;
            _remoteUnbind = true;
            _accepting = false;
        }
        if (!first)
        {
            return default;
        }

        Log.RemoteUnbind(_logger, SessionId);
        SetState(new SmppSessionStateChange(SmppSessionState.Unbinding, SmppCloseReason.RemoteUnbind, Detail: "the SMSC sent unbind"));
        _stopAcceptingCts.Cancel();
        // The write loop closes the session once unbind_resp is on the wire.
        return EnqueueAsync(unbind.CreateResponse()!, closeAfterWrite: true);
    }
}
