namespace Instasent.SmppAdapter.Cli;

/// <summary>
/// A RabbitMQ address from an AMQP URI (<c>amqp://user:password@host:5672/vhost</c>, as in <c>RabbitMq__Uri</c>).
/// Its <see cref="ToString"/> leaves the password out, so it can be printed in errors.
/// </summary>
internal sealed record BrokerAddress(string Scheme, string Host, int Port, string VirtualHost, string User, string Password)
{
    public const string Default = "amqp://guest:guest@127.0.0.1:5672/";

    public bool UseTls => Scheme is "amqps";

    /// <summary>Parses an AMQP URI; on failure <paramref name="error"/> says why without echoing credentials.</summary>
    public static bool TryParse(string text, out BrokerAddress address, out string error)
    {
        address = null!;
        error = "";
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
        {
            error = $"'{WithoutUserInfo(text)}' is not an AMQP URI; expected amqp://user:password@host:5672/vhost (or amqps://)";
            return false;
        }

        // RFC 3986 user info, percent-encoded; AMQP URI spec: an absent user or password means guest.
        var userInfo = uri.UserInfo.Split(':', 2);
        var user = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";

        // The path is the virtual host, percent-encoded ("%2F" is "/"); none, or a bare "/", is the default vhost.
        var path = uri.AbsolutePath.TrimStart('/');
        var virtualHost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port;

        address = new BrokerAddress(uri.Scheme, uri.Host, port, virtualHost, user, password);
        return true;
    }

    public override string ToString()
    {
        var vhost = VirtualHost == "/" ? "" : Uri.EscapeDataString(VirtualHost);
        return $"{Scheme}://{Uri.EscapeDataString(User)}@{Host}:{Port}/{vhost}";
    }

    static string WithoutUserInfo(string text)
    {
        var at = text.LastIndexOf('@');
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? text[..(scheme + 3)] + "***@" + text[(at + 1)..] : text;
    }
}
