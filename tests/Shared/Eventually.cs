namespace Instasent.Testing;

/// <summary>
/// The one way tests wait for something to become true: a bounded wait for presence, failing with what was awaited.
/// Absence is never proven with it (a condition that stays false only shows the wait was too short): use events or
/// a fake clock for that.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>As <see cref="TrueAsync(Func{bool}, string, TimeSpan?)"/>, for a condition that asks a server.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                if (await condition().WaitAsync(deadline.Token))
                {
                    return;
                }
                await Task.Delay(pause, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
            }
            // Quick for what is about to happen, gentle on the CPU for what takes seconds.
            pause = TimeSpan.FromMilliseconds(Math.Min(100, pause.TotalMilliseconds * 2));
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null) where T : class
    {
        T? found = null;
        await TrueAsync(() => (found = probe()) is not null, what, timeout);
        return found!;
    }
}
