using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>The output of a peer that ran to its end.</summary>
public sealed record PeerRun(int ExitCode, IReadOnlyList<string> StandardOutput, string StandardError)
{
    /// <summary>The stdout lines that are JSON objects (the peers' event lines).</summary>
    public IReadOnlyList<JsonObject> JsonLines() => StandardOutput.Select(ParseJsonLine).OfType<JsonObject>().ToList();

    internal static JsonObject? ParseJsonLine(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"exit code {ExitCode}\nstdout:\n{string.Join('\n', StandardOutput)}\nstderr:\n{StandardError}";
}

/// <summary>
/// One child process of a peer, with line-based stdout, bounded waits and the whole process tree killed on
/// dispose. Every peer (node, perl, the libsmpp34 tool, tshark, gcc) runs through this one class.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(3);

    // Each peer keeps two thread-pool threads blocked reading its stdout and stderr (anonymous pipes get no
    // asynchronous I/O on Unix). With the pool's minimum at the core count (2 here), that starved whatever the test
    // hosts in-process (simulator, session) for about a second until the pool added threads.
    static PeerProcess()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);
    }

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _requestLock = new(1, 1);
    private readonly string _description;

    private PeerProcess(string fileName, IReadOnlyList<string> arguments, string? workingDirectory)
    {
        _description = $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)}";
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? InteropEnvironment.InteropDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdout.Writer.TryComplete();
            }
            else
            {
                _stdout.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
    }

    /// <summary>What it printed on stderr so far (for failure messages).</summary>
    public string StandardError
    {
        get { lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static PeerProcess Start(string fileName, IReadOnlyList<string> arguments, string? workingDirectory = null)
    {
        var peer = new PeerProcess(fileName, arguments, workingDirectory);
        if (!peer._process.Start())
        {
            throw new InvalidOperationException($"could not start {peer._description}");
        }

        peer._process.StandardInput.AutoFlush = true;
        peer._process.BeginOutputReadLine();
        peer._process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Runs a peer to its end, killing it (and failing) when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<PeerRun> RunAsync(
        string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null,
        string? workingDirectory = null)
    {
        await using var peer = Start(fileName, arguments, workingDirectory);
        if (standardInput is not null)
        {
            await peer._process.StandardInput.WriteAsync(standardInput);
        }

        peer._process.StandardInput.Close();
        var exitCode = await peer.WaitForExitAsync(timeout);
        return new PeerRun(exitCode, peer.TakeBufferedLines(), peer.StandardError);
    }

    /// <summary>The stdout lines printed and not read yet (all of them, once the peer has exited).</summary>
    public IReadOnlyList<string> TakeBufferedLines()
    {
        var lines = new List<string>();
        while (_stdout.Reader.TryRead(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The next stdout line; fails when the peer exits or stays silent for <paramref name="timeout"/>.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (await _stdout.Reader.WaitToReadAsync(cts.Token) && _stdout.Reader.TryRead(out var line))
            {
                return line;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{_description} printed nothing within {timeout.TotalSeconds:0.#} s; stderr:\n{StandardError}");
        }
        throw new InvalidOperationException($"{_description} closed its output (exited); stderr:\n{StandardError}");
    }

    /// <summary>Reads lines until one satisfies <paramref name="predicate"/>, all within <paramref name="timeout"/>.</summary>
    public async Task<string> ReadLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{_description}: no expected line within {timeout.TotalSeconds:0.#} s; stderr:\n{StandardError}");
            }

            var line = await ReadLineAsync(left);
            if (predicate(line))
            {
                return line;
            }
        }
    }

    /// <summary>Writes one request line and returns the one answer line (one request at a time).</summary>
    public async Task<string> RequestAsync(string line, TimeSpan timeout)
    {
        await _requestLock.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            return await ReadLineAsync(timeout);
        }
        finally
        {
            _requestLock.Release();
        }
    }

    /// <summary>Waits for the exit; past <paramref name="timeout"/> kills the process tree and fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_description} did not finish within {timeout.TotalSeconds:0.#} s (killed); stderr:\n{StandardError}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Closing stdin tells the long-lived peers (codec, SMSC) to exit by themselves.
                try { _process.StandardInput.Close(); } catch (IOException) { }
                using var cts = new CancellationTokenSource(ExitGrace);
                try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { Kill(); }
            }
        }
        finally
        {
            _process.Dispose();
            _requestLock.Dispose();
        }
    }

    private void Kill()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
}
