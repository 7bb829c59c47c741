using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// A <c>redis-server</c> process of one test's own, for tests that stop, kill or freeze Redis under the adapter:
/// loopback, a free port, its own data directory, append-only with <c>appendfsync always</c> (so what a command
/// wrote survives even <see cref="KillAsync"/>). <see cref="StartAsync"/> after a stop or kill starts it again on
/// the same port and directory: the data is still there. Every operation is bounded by <see cref="OperationTimeout"/>;
/// dispose kills it and deletes the directory.
/// </summary>
/// <remarks>
/// Needs Debian's <c>redis-server</c> (ops/test.sh installs it; <c>REDIS_SERVER</c> overrides the path). Linux only:
/// pausing is SIGSTOP/SIGCONT, because Redis 7 refuses <c>DEBUG SLEEP</c> unless started with debug commands on,
/// and a stopped process is the more faithful "Redis hangs": connections stay open, nothing answers.
/// </remarks>
public sealed class PrivateRedisServer : IAsyncDisposable
{
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(15);
    private const int SigKill = 9, SigTerm = 15, SigCont = 18, SigStop = 19;
    private readonly string _binary;
    private Process? _process;
    private bool _paused;

    private PrivateRedisServer(string binary, int port, string dataDirectory)
    {
        _binary = binary;
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>The StackExchange.Redis configuration string: <c>127.0.0.1:port</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a new server on a free loopback port and returns once it answers PING.</summary>
    public static async Task<PrivateRedisServer> CreateAsync()
    {
        var binary = Environment.GetEnvironmentVariable("REDIS_SERVER") is { Length: > 0 } configured ? configured : "/usr/bin/redis-server";
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"redis-server is not installed at {binary}: apt-get install redis-server (ops/test.sh does), or set REDIS_SERVER to its path.");
        }

        var directory = Directory.CreateTempSubdirectory("smpp-adapter-redis-").FullName;
        var server = new PrivateRedisServer(binary, FreeLoopbackPort(), directory);
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Starts the server (again) on the same port and data directory; returns once it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server on {Configuration} is already running");
        }

        var start = new ProcessStartInfo(_binary) { UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", DataDirectory, "--daemonize", "no",
                     "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", "redis.log",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_binary}");
        _paused = false;

        await WaitForPingAsync("at start");
    }

    /// <summary>A clean stop (SIGTERM: Redis flushes its append-only file and exits); waits until the process is gone.</summary>
    public Task StopAsync() => SignalAndWaitForExitAsync(SigTerm);

    /// <summary>SIGKILL: Redis dies with no chance to flush (with <c>appendfsync always</c>, acknowledged writes are on disk).</summary>
    public Task KillAsync() => SignalAndWaitForExitAsync(SigKill);

    /// <summary>Freezes the process (SIGSTOP): sockets stay open, nothing is answered, until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync()
    {
        Signal(SigStop);
        _paused = true;
        return Task.CompletedTask;
    }

    /// <summary>Lets a paused server run again (SIGCONT) and returns once it answers PING.</summary>
    public async Task ResumeAsync()
    {
        Signal(SigCont);
        _paused = false;
        await WaitForPingAsync("after SIGCONT");
    }

    /// <summary>True when the server answers PING within a second (a paused one does not).</summary>
    public async Task<bool> AnswersPingAsync(CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cts.Token);
            // "+PONG"; "-LOADING ..." while the append-only file is replayed after a restart.
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            // SIGKILL ends a stopped process too; no SIGCONT needed first.
            try { await KillAsync(); } catch (TimeoutException) { }
        }
        _process?.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task WaitForPingAsync(string when)
    {
        using var cts = new CancellationTokenSource(OperationTimeout);
        while (!await AnswersPingAsync(cts.Token))
        {
            if (_process is not { HasExited: false })
            {
                throw new InvalidOperationException($"redis-server on {Configuration} exited {when}: {LogTail()}");
            }

            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"redis-server on {Configuration} did not answer PING within {OperationTimeout.TotalSeconds} s {when}: {LogTail()}");
            }

            try { await Task.Delay(TimeSpan.FromMilliseconds(50), cts.Token); } catch (OperationCanceledException) { }
        }
    }

    private async Task SignalAndWaitForExitAsync(int signal)
    {
        var process = _process ?? throw new InvalidOperationException($"redis-server on {Configuration} was never started");
        if (process.HasExited)
        {
            return;
        }

        Signal(signal);
        // A stopped process acts on SIGTERM only once it runs again.
        if (_paused && signal != SigKill)
        {
            Signal(SigCont);
        }

        using var cts = new CancellationTokenSource(OperationTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"redis-server on {Configuration} did not exit within {OperationTimeout.TotalSeconds} s of signal {signal}; killed it");
        }
        _paused = false;
    }

    private void Signal(int signal)
    {
        var process = _process is { HasExited: false } running ? running
            : throw new InvalidOperationException($"redis-server on {Configuration} is not running");
        if (kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private string LogTail()
    {
        var log = Path.Combine(DataDirectory, "redis.log");
        return File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(5)) : "(no log)";
    }

    internal static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
