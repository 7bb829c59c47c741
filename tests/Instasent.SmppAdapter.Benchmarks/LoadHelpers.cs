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
}
