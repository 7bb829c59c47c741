using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

/// <summary>Which bind operation opens the session (SMPP 3.4 §4.1).</summary>
public enum BindType
{
    Transmitter,
    Receiver,
    Transceiver,
}

/// <summary>
/// Everything one SMPP session needs: where to connect, how to bind and how to pace itself. Validated by
/// <see cref="Validate"/> before a socket is opened, so a bad setting fails with one line naming it.
/// </summary>
public sealed record SmppSessionOptions
{
    public required string Host { get; init; }

    public int Port { get; init; } = 2775;

    public bool UseTls { get; init; }

    /// <summary>The name the SMSC's certificate must carry; <see cref="Host"/> when null.</summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>Accept any server certificate (test SMSCs with self-signed certificates only).</summary>
    public bool TlsAllowUntrustedCertificate { get; init; }

    public required string SystemId { get; init; }

    public required string Password { get; init; }

    public string SystemType { get; init; } = "";

    public BindType BindType { get; init; } = BindType.Transceiver;

    /// <summary>0x34 (SMPP 3.4) or 0x50 (SMPP 5.0), sent as interface_version in the bind.</summary>
    public byte InterfaceVersion { get; init; } = Pdus.InterfaceVersion.V34;

    public Ton AddrTon { get; init; }

    public Npi AddrNpi { get; init; }

    public string AddressRange { get; init; } = "";

    /// <summary>Requests outstanding at once; callers beyond it wait for a response to free a slot.</summary>
    public int WindowSize { get; init; } = 50;

    /// <summary>
    /// deliver_sm, data_sm and alert_notification handled at once; past it the session reads nothing more (the SMSC
    /// meets TCP back-pressure, and responses to our own requests wait too) until a handler completes.
    /// </summary>
    public int MaxInboundInFlight { get; init; } = 64;

    /// <summary>How long each request waits for its response before failing with <see cref="SmppResponseTimeoutException"/>.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>enquire_link after this much silence in both directions; <see cref="TimeSpan.Zero"/> turns keepalive off.</summary>
    public TimeSpan EnquireLinkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>TCP connect and TLS handshake together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bounds each phase of a local close: draining outstanding requests, then waiting for unbind_resp.</summary>
    public TimeSpan UnbindTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest command_length accepted from the SMSC; a larger one closes the session (the stream cannot be trusted).</summary>
    public int MaxCommandLength { get; init; } = 64 * 1024;

    /// <summary>This many response timeouts in a row mark the link dead; 0 never does.</summary>
    public int DeadAfterConsecutiveTimeouts { get; init; } = 3;

    /// <summary>The configured account this session belongs to: the <c>smpp.connection</c> tag on telemetry.</summary>
    public string ConnectionName { get; init; } = "default";

    /// <summary>Identifies the session in logs and events; generated from <see cref="ConnectionName"/> when null.</summary>
    public string? SessionId { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work, with its value or size and the limit.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw Invalid(nameof(Host), "Host is empty");
        }

        if (Port is < 1 or > 65535)
        {
            throw Invalid(nameof(Port), $"Port is {Port}; it must be 1-65535");
        }
        // SMPP 3.4 §4.1.1: C-octet strings whose limits count the terminating NUL.
        CheckCString(SystemId, nameof(SystemId), "system_id", FieldLimits.SystemId, showValue: true);
        CheckCString(Password, nameof(Password), "password", FieldLimits.Password, showValue: false);
        CheckCString(SystemType, nameof(SystemType), "system_type", FieldLimits.SystemType, showValue: true);
        CheckCString(AddressRange, nameof(AddressRange), "address_range", FieldLimits.AddressRange, showValue: true);
        if (InterfaceVersion is not (Pdus.InterfaceVersion.V34 or Pdus.InterfaceVersion.V50))
        {
            throw Invalid(nameof(InterfaceVersion), $"InterfaceVersion is 0x{InterfaceVersion:X2}; use 0x34 (SMPP 3.4) or 0x50 (SMPP 5.0)");
        }

        if (WindowSize is < 1 or > 10_000)
        {
            throw Invalid(nameof(WindowSize), $"WindowSize is {WindowSize}; it must be 1-10000");
        }

        if (MaxInboundInFlight is < 1 or > 10_000)
        {
            throw Invalid(nameof(MaxInboundInFlight), $"MaxInboundInFlight is {MaxInboundInFlight}; it must be 1-10000");
        }

        CheckPositive(ResponseTimeout, nameof(ResponseTimeout));
        CheckPositive(ConnectTimeout, nameof(ConnectTimeout));
        CheckPositive(UnbindTimeout, nameof(UnbindTimeout));
        if (EnquireLinkInterval < TimeSpan.Zero)
        {
            throw Invalid(nameof(EnquireLinkInterval), $"EnquireLinkInterval is {EnquireLinkInterval}; use a positive interval, or zero to turn keepalive off");
        }

        if (MaxCommandLength is < 1024 or > 16 * 1024 * 1024)
        {
            throw Invalid(nameof(MaxCommandLength), $"MaxCommandLength is {MaxCommandLength}; it must be 1024-16777216 octets");
        }

        if (DeadAfterConsecutiveTimeouts < 0)
        {
            throw Invalid(nameof(DeadAfterConsecutiveTimeouts), $"DeadAfterConsecutiveTimeouts is {DeadAfterConsecutiveTimeouts}; use 0 (never) or more");
        }

        if (string.IsNullOrWhiteSpace(ConnectionName))
        {
            throw Invalid(nameof(ConnectionName), "ConnectionName is empty");
        }
    }

    private static void CheckCString(string? value, string setting, string field, int limitWithNul, bool showValue)
    {
        value ??= "";
        var what = showValue ? $"\"{value}\" ({value.Length} characters)" : $"{value.Length} characters";
        if (value.Length > limitWithNul - 1)
        {
            throw Invalid(setting, $"{setting} is {what}; SMPP allows at most {limitWithNul - 1} for {field}");
        }

        foreach (var c in value)
        {
            if (c is '\0' or > '\u007F')
            {
                throw Invalid(setting, $"{setting} contains U+{(int)c:X4}; {field} must be printable ASCII");
            }
        }
    }

    private static void CheckPositive(TimeSpan value, string setting)
    {
        if (value <= TimeSpan.Zero)
        {
            throw Invalid(setting, $"{setting} is {value}; it must be positive");
        }
    }

    private static ArgumentException Invalid(string setting, string message) => new(message, setting);
}
