using System.Net.Sockets;

namespace Instasent.SmppAdapter.Simulator;

// Abort (RST) and the one close that hands back what was outstanding.
internal sealed partial class SimulatorSession
{
    /// <summary>Resets the connection (RST, no unbind). Idempotent; the read loop then closes and cleans up.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        _socket.Dispose();
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Closed already.
        }
    }

    private async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        List<PendingDelivery>? outstanding;
        lock (_outstandingLock)
        {
            _closed = true;
            outstanding = _outstanding.Count > 0 ? [.. _outstanding.Values] : null;
            _outstanding.Clear();
        }
        await _stopRegistration.DisposeAsync().ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The socket is gone already; nothing left to flush.
        }
        await _input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _simulator.OnConnectionClosed(this, outstanding);
        if (Bind != BindKind.None || _verbose)
        {
            _simulator.Log.LogInformation("#{Id} closed ({Bind} as '{SystemId}')", Id, Bind, Account?.Account.SystemId);
        }
    }
}
