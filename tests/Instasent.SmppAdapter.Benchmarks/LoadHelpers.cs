using System.Diagnostics;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>What the load subcommands share about their command lines.</summary>
internal static class LoadCommandLine
{
    /// <summary>
    /// The settings <paramref name="parse"/> returns, or null after printing why they cannot be read (its
    /// <see cref="ArgumentException"/>) and the usage; the caller then exits with 2.
    /// </summary>
    public static T? Parse<T>(Func<T> parse, string usage) where T : class
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(usage);
            return null;
        }
    }
}

/// <summary>How the load generators keep a fixed number of requests in flight.</summary>
internal static class LoadWorkers
{
    /// <summary>
    /// Runs <paramref name="body"/> for every index below <paramref name="count"/> on <paramref name="parallel"/>
    /// workers, each taking the next index as soon as its previous one completed.
    /// </summary>
    public static Task ForEachIndexAsync(int count, int parallel, Func<int, Task> body)
    {
        var next = -1;
        async Task WorkerAsync()
        {
            await Task.Yield();
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await body(i).ConfigureAwait(false);
            }
        }
        var workers = new Task[parallel];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = WorkerAsync();
        }

        return Task.WhenAll(workers);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for index i at <c>i / rate</c> seconds from the start (a late one goes at once, so
    /// the average rate holds), at most <paramref name="inFlight"/> at a time. It wakes every <see cref="ScheduleTick"/>
    /// at most and starts what is due then: one timer wake-up per command cost the load generator more CPU than the
    /// adapter it measures. Latency is timed from each start, so the tick does not shorten it.
    /// </summary>
    public static async Task OnScheduleAsync(int count, int rate, int inFlight, Func<int, Task> body, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(inFlight);
        var pending = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await WaitUntilDueAsync(start, i, rate, cancellationToken);
            await slots.WaitAsync(cancellationToken);
            pending.Add(RunAndReleaseAsync(i));
        }
        await Task.WhenAll(pending);

        async Task RunAndReleaseAsync(int index)
        {
            try
            {
                await body(index);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    /// <summary>
    /// Waits until index <paramref name="i"/> is due, <c>i / rate</c> seconds after <paramref name="start"/> (a
    /// <see cref="Stopwatch"/> timestamp); a late one returns at once. Sleeps at least <see cref="ScheduleTick"/>.
    /// </summary>
    public static async ValueTask WaitUntilDueAsync(long start, int i, int rate, CancellationToken cancellationToken)
    {
        var due = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due > ScheduleTick ? due : ScheduleTick, cancellationToken);
        }
    }

    private static readonly TimeSpan ScheduleTick = TimeSpan.FromMilliseconds(5);
}
