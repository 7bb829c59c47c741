using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>tcp-proxy</c>: the integration tests' <see cref="TcpChaosProxy"/> as a process that <c>ops/chaos.sh</c> puts
/// between the adapter and the simulator and commands over a loopback control port, one line per command:
/// <c>cut</c> (reset every live connection), <c>stall</c> / <c>resume</c> (stop / restart forwarding with the
/// sockets left open), <c>refuse</c> / <c>accept</c> (stop / restart listening), <c>stats</c>. Each is answered with
/// one line of counters. Runs until SIGTERM or SIGINT.
/// </summary>
internal static class TcpProxyCommand
{
    private const string Usage = "Usage: tcp-proxy --listen 12791 --target 127.0.0.1:12790 --control 18792";

    public static async Task<int> RunAsync(string[] args)
    {
        int? listen = null, control = null;
        IPEndPoint? target = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--listen": listen = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--control": control = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--target": target = IPEndPoint.Parse(args[i + 1]); break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }
        if (listen is null || control is null || target is null || !IPAddress.IsLoopback(target.Address))
        {
            Console.Error.WriteLine(Usage + " (loopback targets only)");
            return 2;
        }

        var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        await using var proxy = new TcpChaosProxy(target, listen.Value);
        var listener = new TcpListener(IPAddress.Loopback, control.Value);
        listener.Start();
        Console.WriteLine($"tcp-proxy ready: 127.0.0.1:{proxy.Port} -> {target}, control on 127.0.0.1:{control}");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await ServeAsync(client, proxy, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Stop();
        }
        return 0;
    }

    /// <summary>One control connection: commands until it closes (a script sends one line and reads the answer).</summary>
    private static async Task ServeAsync(TcpClient client, TcpChaosProxy proxy, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true };
        try
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                var command = line.Trim();
                switch (command)
                {
                    case "cut": proxy.CutAll(); break;
                    case "stall": proxy.Stall(); break;
                    case "resume": proxy.Resume(); break;
                    case "refuse": proxy.RefuseNew(true); break;
                    case "accept": proxy.RefuseNew(false); break;
                    case "stats": break;
                    default:
                        await writer.WriteLineAsync($"error: unknown command '{command}' (cut, stall, resume, refuse, accept, stats)");
                        continue;
                }
                var answer = $"{command} ok: live={proxy.LiveConnections} accepted={proxy.AcceptedConnections} stalled={proxy.IsStalled} to_target={proxy.BytesToTarget} from_target={proxy.BytesFromTarget} held={proxy.HeldBytes}";
                Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {answer}");
                await writer.WriteLineAsync(answer);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }
}
