using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

// enquire_link after a quiet interval (SMPP 3.4 §4.11): keeps firewalls from dropping an idle session and proves
// the SMSC is still there. A missing enquire_link_resp marks the link dead (see OnTimeoutTimer).
public sealed partial class SmppSession
{
    private readonly ITimer _keepaliveTimer;
    private Task _keepalive = Task.CompletedTask;

    private void StartKeepalive()
    {
        if (Options.EnquireLinkInterval > TimeSpan.Zero)
        {
            _keepaliveTimer.Change(Options.EnquireLinkInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnKeepaliveTimer()
    {
        if (_state != SmppSessionState.Bound)
        {
            return;
        }

        var interval = Options.EnquireLinkInterval;
        var idle = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastActivity));
        var next = interval;
        if (idle < interval)
        {
            // Traffic since the last check: wait out the rest of the interval from the last PDU.
            next = interval - idle;
        }
        else if (_keepalive.IsCompleted)
        {
            _keepalive = SendEnquireLinkAsync();
        }
        try
        {
            _keepaliveTimer.Change(next, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile.
        }
    }

    private async Task SendEnquireLinkAsync()
    {
        try
        {
            await SendCoreAsync<EnquireLinkResp>(new EnquireLink(), Options.ResponseTimeout, usesWindow: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SmppException e)
        {
            // A timeout has already marked the link dead; a close has already failed everything. Nothing more to do here.
            Log.EnquireLinkFailed(_logger, SessionId, e.Message);
        }
    }
}
