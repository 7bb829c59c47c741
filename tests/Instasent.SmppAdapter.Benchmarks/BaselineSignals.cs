using System.Globalization;
using System.Runtime.InteropServices;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// How a <c>bus-load baseline</c> service is told to stop (SIGTERM, Ctrl-C) and asked for its running totals (SIGHUP:
/// thread-pool work items, allocated bytes and collections so far, for per-command figures between two of them; the
/// adapter has <c>/metrics</c> for the same).
/// </summary>
internal sealed class BaselineSignals : IDisposable
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public BaselineSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"totals work_items={ThreadPool.CompletedWorkItemCount} allocated_bytes={GC.GetTotalAllocatedBytes()} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}"));
            }),
        ];
    }

    /// <summary>Completes on SIGTERM or Ctrl-C.</summary>
    public Task Stopped => _stopped.Task;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stopped.TrySetResult();
    }
}
