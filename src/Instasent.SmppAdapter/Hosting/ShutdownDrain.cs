using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// The two moments of a graceful stop. <see cref="Stopping"/> fires first: commands stop waiting (for a session, a
/// token, a back-off) and are handed back. PDUs already on the wire keep their chance to be answered until
/// <see cref="Abort"/>, half the shutdown budget later, so a stop does not turn answered-soon segments into unknown
/// outcomes. Registered last, so the host stops it first.
/// </summary>
public sealed class ShutdownDrain(SendingOptions options, TimeProvider time) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private ITimer? _abortTimer;
    private bool _disposed;

    public CancellationToken Stopping => _stopping.Token;

    public CancellationToken Abort => _abort.Token;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _abortTimer = time.CreateTimer(static state => ((ShutdownDrain)state!).AbortNow(), this, options.ShutdownTimeout / 2, Timeout.InfiniteTimeSpan);
    }

    private void AbortNow()
    {
        lock (_abort)
        {
            if (!_disposed)
            {
                _abort.Cancel();
            }
        }
    }

    public void Dispose()
    {
        lock (_abort)
        {
            _disposed = true;
        }
        _abortTimer?.Dispose();
        _stopping.Dispose();
        _abort.Dispose();
    }
}
