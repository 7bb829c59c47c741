using System.Net;
using System.Net.Sockets;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy on a loopback ephemeral port that forwards to <c>target</c> and breaks the link on demand: put it
/// between the adapter and the SMSC simulator (or the broker) and point the adapter at <see cref="EndPoint"/>.
/// <list type="bullet">
/// <item><see cref="CutAll"/> resets every live connection (RST on both sides, as a dead NAT or a pulled cable that
/// comes back would);</item>
/// <item><see cref="Stall"/> / <see cref="Resume"/> stop and restart forwarding in both directions with the sockets left
/// open (a frozen peer or a black-holed route: TCP back-pressure, no error);</item>
/// <item><see cref="RefuseNew"/> closes the listening socket, so new connections are refused (ECONNREFUSED) while the
/// live ones go on; <c>RefuseNew(false)</c> listens again on the same port.</item>
/// </list>
/// Counters say what went through. At most <see cref="MaxConnections"/> live connections (more are reset at once);
/// dispose stops everything within <see cref="DisposeTimeout"/>.
/// </summary>
public sealed class TcpChaosProxy : IAsyncDisposable
{
    public const int MaxConnections = 256;
    public static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(5);
    private const int BufferSize = 16 * 1024;

    private readonly EndPoint _target;
    // Never disposed: disposal cancels it, and pumps still unwinding may read its token afterwards.
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Link> _links = [];
    private readonly List<Task> _tasks = [];
    private TcpListener? _listener;
    private TaskCompletionSource _flowing = NewGate(open: true);
    private long _bytesToTarget, _bytesFromTarget, _accepted, _held;

    /// <summary>Starts listening on 127.0.0.1 (<paramref name="port"/>, by default an ephemeral one) and forwarding to <paramref name="target"/>.</summary>
    public TcpChaosProxy(EndPoint target, int port = 0)
    {
        _target = target;
        EndPoint = new IPEndPoint(IPAddress.Loopback, Listen(port));
    }

    /// <summary>Where clients connect: 127.0.0.1 and the port the proxy listens on.</summary>
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>Bytes passed on to the target (client → target).</summary>
    public long BytesToTarget => Interlocked.Read(ref _bytesToTarget);

    /// <summary>Bytes passed back to clients (target → client).</summary>
    public long BytesFromTarget => Interlocked.Read(ref _bytesFromTarget);

    /// <summary>Connections accepted and forwarded since the start.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _accepted);

    /// <summary>Bytes read from one side and held by <see cref="Stall"/>, not yet written to the other.</summary>
    public long HeldBytes => Interlocked.Read(ref _held);

    public int LiveConnections
    {
        get { lock (_lock)
            {
                return _links.Count;
            }
        }
    }

    public bool IsStalled => !_flowing.Task.IsCompleted;

    /// <summary>Resets every live connection, client side and target side; new connections are accepted as before.</summary>
    public void CutAll()
    {
        Link[] links;
        lock (_lock)
        {
            links = [.. _links];
        }

        foreach (var link in links)
        {
            link.Reset();
        }
    }

    /// <summary>Stops forwarding in both directions; what is read meanwhile is held (see <see cref="HeldBytes"/>).</summary>
    public void Stall()
    {
        lock (_lock)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = NewGate(open: false);
            }
        }
    }

    /// <summary>Forwards again, held bytes first.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            _flowing.TrySetResult();
        }
    }

    /// <summary>True: stop listening, so connection attempts are refused. False: listen again on the same port.</summary>
    public void RefuseNew(bool refuse)
    {
        lock (_lock)
        {
            if (refuse)
            {
                _listener?.Stop();
                _listener = null;
            }
            else if (_listener is null)
            {
                Listen(Port);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        Task[] tasks;
        lock (_lock)
        {
            _listener?.Stop();
            _listener = null;
            _flowing.TrySetResult();
            tasks = [.. _tasks];
        }
        CutAll();
        try
        {
            await Task.WhenAll(tasks).WaitAsync(DisposeTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the chaos proxy on {EndPoint} did not stop within {DisposeTimeout.TotalSeconds} s");
        }
    }

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // RefuseNew(false) binds the same port again while connections accepted on it may linger in TIME_WAIT.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        Track(AcceptLoopAsync(listener));
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        // Ends when the listener is stopped (RefuseNew, dispose): AcceptSocketAsync then throws.
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }
            Track(ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var target = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var link = new Link(client, target);
        lock (_lock)
        {
            if (_links.Count >= MaxConnections)
            {
                link.Reset();
                return;
            }
            _links.Add(link);
        }
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            connect.CancelAfter(TimeSpan.FromSeconds(10));
            await target.ConnectAsync(_target, connect.Token);
            Interlocked.Increment(ref _accepted);
            await Task.WhenAll(PumpAsync(link, client, target, toTarget: true), PumpAsync(link, target, client, toTarget: false));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The target refused or vanished: the client sees its connection reset, as it would without the proxy.
            link.Reset();
        }
        finally
        {
            lock (_lock)
            {
                _links.Remove(link);
            }

            link.Close();
        }
    }

    /// <summary>
    /// Copies one direction. Reading goes on during a stall (one buffer, then TCP back-pressure), so the bytes a
    /// stall holds are always counted in <see cref="HeldBytes"/>. An end of stream is passed on as a FIN (the other
    /// direction may still carry an answer); an error resets the whole link, so the other side sees it too.
    /// </summary>
    private async Task PumpAsync(Link link, Socket from, Socket to, bool toTarget)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                Interlocked.Add(ref _held, read);
                try
                {
                    await Gate();
                    if (read == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    // Counted before the send completes, so a peer that has read the bytes already sees them counted.
                    Interlocked.Add(ref toTarget ? ref _bytesToTarget : ref _bytesFromTarget, read);
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
                }
                finally
                {
                    Interlocked.Add(ref _held, -read);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            link.Reset();
        }
    }

    private Task Gate()
    {
        lock (_lock)
        {
            return _flowing.Task.WaitAsync(_stopping.Token);
        }
    }

    private void Track(Task task)
    {
        lock (_lock)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }

        return gate;
    }

    /// <summary>A client connection and its connection to the target.</summary>
    private sealed class Link(Socket client, Socket target)
    {
        /// <summary>Closes both sockets with an RST (linger 0) instead of a FIN.</summary>
        public void Reset()
        {
            foreach (var socket in new[] { client, target })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            }
        }

        public void Close()
        {
            client.Dispose();
            target.Dispose();
        }
    }
}
