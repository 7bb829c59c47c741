using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Instasent.Testing;
using Testcontainers.RabbitMq;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ virtual host of its own for one test: the adapter's queue (<c>smpp-send-sms</c>) and event exchanges are
/// fixed by the contract, so tests cannot isolate themselves by name; a fresh vhost gives each one an empty broker.
/// Deleted (with everything in it) on dispose.
/// </summary>
/// <remarks>
/// Created the first way that works: <c>rabbitmqctl</c> inside the Testcontainers broker; the management HTTP API on
/// port 15672 of the broker's host (the Docker image enables it); the local <c>rabbitmqctl</c> (Debian's broker, which
/// ops/lib/rabbitmq.sh starts without the management plugin; needs root or the Erlang cookie). None of them working is
/// a failure, never a skip.
/// </remarks>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly VirtualHostAdmin _admin;

    private RabbitMqVirtualHost(VirtualHostAdmin admin, string name, Uri uri)
    {
        _admin = admin;
        Name = name;
        Uri = uri;
    }

    public string Name { get; }

    /// <summary>The broker's amqp:// URI with this vhost as its path.</summary>
    public Uri Uri { get; }

    internal static async Task<RabbitMqVirtualHost> CreateAsync(VirtualHostAdmin admin, Uri brokerUri, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        await admin.AddAsync(name);
        var uri = new UriBuilder(brokerUri) { Path = "/" + Uri.EscapeDataString(name) }.Uri;
        return new RabbitMqVirtualHost(admin, name, uri);
    }

    public async ValueTask DisposeAsync() => await _admin.DeleteAsync(Name);
}

/// <summary>Adds and deletes vhosts on the test broker (see <see cref="RabbitMqVirtualHost"/> for the order tried).</summary>
internal sealed class VirtualHostAdmin(Uri brokerUri, RabbitMqContainer? container)
{
    /// <summary>An admin that runs <c>rabbitmqctl</c> through <paramref name="ctl"/> (e.g. against one node of the test cluster).</summary>
    public VirtualHostAdmin(Uri brokerUri, Func<string[], Task> ctl)
        : this(brokerUri, (RabbitMqContainer?)null)
    {
        _ctl = ctl;
        _management = false;
    }

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _user = Uri.UnescapeDataString(brokerUri.UserInfo.Split(':')[0]);
    private readonly string _password = Uri.UnescapeDataString(brokerUri.UserInfo.Split(':', 2) is [_, var p] ? p : "");
    private Func<string[], Task>? _ctl;
    private bool? _management;

    public async Task AddAsync(string name)
    {
        if (await UseManagementAsync())
        {
            await ManagementAsync(HttpMethod.Put, $"vhosts/{Uri.EscapeDataString(name)}", "{}");
            await ManagementAsync(HttpMethod.Put, $"permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(_user)}",
                """{"configure":".*","write":".*","read":".*"}""");
            return;
        }
        var ctl = Ctl();
        await ctl(["add_vhost", name]);
        await ctl(["set_permissions", "-p", name, _user, ".*", ".*", ".*"]);
    }

    public async Task DeleteAsync(string name)
    {
        if (await UseManagementAsync())
        {
            await ManagementAsync(HttpMethod.Delete, $"vhosts/{Uri.EscapeDataString(name)}", null);
            return;
        }
        await Ctl()(["delete_vhost", name]);
    }

    private async Task<bool> UseManagementAsync()
    {
        if (_management is { } known)
        {
            return known;
        }

        if (container is not null)
        {
            return (_management = false).Value;
        }

        try
        {
            using var response = await SendAsync(HttpMethod.Get, "overview", null, TimeSpan.FromSeconds(3));
            _management = response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _management = false;
        }
        return _management.Value;
    }

    private async Task ManagementAsync(HttpMethod method, string path, string? body)
    {
        using var response = await SendAsync(method, path, body, CommandTimeout);
        if (!response.IsSuccessStatusCode && !(method == HttpMethod.Delete && response.StatusCode == HttpStatusCode.NotFound))
        {
            throw new InvalidOperationException($"management API {method} /api/{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = timeout };
        using var request = new HttpRequestMessage(method, new Uri($"http://{brokerUri.Host}:15672/api/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}")));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    private Func<string[], Task> Ctl() => _ctl ??= container is not null ? ContainerCtlAsync : LocalCtl();

    private async Task ContainerCtlAsync(string[] arguments)
    {
        using var cts = new CancellationTokenSource(CommandTimeout);
        var result = await container!.ExecAsync(["rabbitmqctl", .. arguments], cts.Token);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} in the container exited {result.ExitCode}: {result.Stderr}");
        }
    }

    private Func<string[], Task> LocalCtl()
    {
        if (!IPAddress.TryParse(brokerUri.Host, out var address) ? brokerUri.Host != "localhost" : !IPAddress.IsLoopback(address))
        {
            throw new InvalidOperationException(
                $"Cannot create a RabbitMQ virtual host on {brokerUri.Host}: its management API (port 15672) does not answer and rabbitmqctl " +
                "only reaches a local broker. Enable rabbitmq_management on that broker or run the tests against a local one.");
        }

        var path = LocalCtlPath()
              ?? throw new InvalidOperationException(
                  "Cannot create a RabbitMQ virtual host: the management API on 127.0.0.1:15672 does not answer and rabbitmqctl is not installed " +
                  "(set RABBITMQCTL to its path, or enable rabbitmq_management).");
        return arguments => ExternalCommand.RunCheckedAsync(path, arguments, CommandTimeout);
    }

    /// <summary>The local <c>rabbitmqctl</c>: <c>RABBITMQCTL</c>, else where Debian and a source install put it; null when absent.</summary>
    internal static string? LocalCtlPath() =>
        Environment.GetEnvironmentVariable("RABBITMQCTL") is { Length: > 0 } configured ? configured
            : new[] { "/usr/sbin/rabbitmqctl", "/usr/lib/rabbitmq/bin/rabbitmqctl", "/usr/local/sbin/rabbitmqctl" }.FirstOrDefault(File.Exists);
}
