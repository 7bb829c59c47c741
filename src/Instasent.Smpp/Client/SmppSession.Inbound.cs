using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

// The SMSC's requests that carry messages: deliver_sm, data_sm and alert_notification go to the handler.
public sealed partial class SmppSession
{
    private int _inboundInFlight;

    // At most Options.MaxInboundInFlight handlers at once.
    private readonly SemaphoreSlim _inboundSlots;

    private ValueTask OnInboundRequest(Pdu request)
    {
        if (_handler is null)
        {
            Log.NoInboundHandler(_logger, SessionId, request.CommandId.Describe(), request.SequenceNumber);
            // Nobody can take the message: ask the SMSC to keep it and try again (SMPP 3.4 §5.1.3 ESME_RX_T_APPN).
            var refusal = request.CreateResponse(CommandStatus.ESME_RX_T_APPN);
            return refusal is null ? default : EnqueueAsync(refusal);
        }
        if (!_inboundSlots.Wait(0))
        {
            return StartHandlerWhenFreeAsync(request);
        }
        StartHandler(request);
        return default;
    }

    /// <summary>
    /// Every slot is taken: the read loop awaits this, so it reads no further PDU until a handler completes and the
    /// SMSC meets TCP back-pressure, instead of the session queueing handlers without bound. Ends (throwing) when the session aborts.
    /// </summary>
    private async ValueTask StartHandlerWhenFreeAsync(Pdu request)
    {
        await _inboundSlots.WaitAsync(_abortCts.Token).ConfigureAwait(false);
        StartHandler(request);
    }

    private void StartHandler(Pdu request)
    {
        Interlocked.Increment(ref _inboundInFlight);
        // Owned by the session: counted in _inboundInFlight, awaited (bounded) by CloseAsync, never faults.
        _ = RunHandlerAsync(request);
    }

    private async Task RunHandlerAsync(Pdu request)
    {
        // Off the read loop before any handler code runs, however the handler is written.
        await Task.Yield();
        var activity = StartInboundActivity(request);
        Pdu? response;
        Exception? failure = null;
        try
        {
            response = await _handler!.HandleAsync(this, request, _abortCts.Token).ConfigureAwait(false);
            if (request.CommandId == CommandId.AlertNotification)
            {
                response = null; // SMPP 3.4 §4.12: alert_notification has no response.
            }
            else if (response is null)
            {
                response = request.CreateResponse();
            }
            else if (response.CommandId != request.CommandId.ResponseOf())
            {
                throw new InvalidOperationException($"The handler answered {request.CommandId.Describe()} with {response.CommandId.Describe()}");
            }
            else
            {
                response.SequenceNumber = request.SequenceNumber;
                PduCodec.GetEncodedLength(response);
            }
        }
        catch (Exception e)
        {
            failure = e;
            Log.HandlerFailed(_logger, e, SessionId, request.CommandId.Describe(), request.SequenceNumber);
            response = request.CreateResponse(CommandStatus.ESME_RX_T_APPN);
        }
        try
        {
            if (response is not null && !_closed)
            {
                await EnqueueAsync(response).ConfigureAwait(false);
            }
        }
        finally
        {
            EndActivity(activity, response, failure);
            _inboundSlots.Release();
            Interlocked.Decrement(ref _inboundInFlight);
            CheckDrained();
        }
    }
}
