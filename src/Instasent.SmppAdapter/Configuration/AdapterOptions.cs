using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Instasent.SmppAdapter.Configuration;

/// <summary>
/// Everything the adapter reads from configuration, bound by <see cref="AdapterOptionsBinding"/>: each settable property
/// is a key (its name, or its <see cref="ConfigurationKeyNameAttribute"/>), each <see cref="RangeAttribute"/> a rule.
/// A property added here binds, is known (not refused as unknown) and is range-checked with nothing else to write.
/// </summary>
public sealed record AdapterOptions
{
    [ConfigurationKeyName("Smpp:Connections")]
    public IReadOnlyList<SmppConnectionOptions> Connections { get; init; } = [];
    public RabbitMqOptions RabbitMq { get; init; } = new();
    public HttpOptions Http { get; init; } = new();
    public TelemetryOptions Telemetry { get; init; } = new();

    [ConfigurationKeyName("Adapter")]
    public SendingOptions Sending { get; init; } = new();
    public StoresOptions Stores { get; init; } = new();

    /// <summary>
    /// Whether <c>smpp-send-sms</c>'s consumer submits commands itself while the connection's queue is open
    /// (<see cref="SendingOptions.DirectSubmit"/>): only with one connection, so a slow account can never hold the
    /// shared queue's consumers while another waits.
    /// </summary>
    public bool DirectSubmit => Sending.DirectSubmit && Connections.Count == 1;

    /// <summary>The connection named <paramref name="name"/> (ordinal, case-insensitive); the first one when null or empty.</summary>
    public SmppConnectionOptions? FindConnection(string? name) =>
        string.IsNullOrEmpty(name)
            ? Connections[0]
            : Connections.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>How the connection binds: one transceiver per session, or a transmitter and a receiver per session.</summary>
public enum ConnectionBindType
{
    Transceiver,
    TransmitterAndReceiver,
}

/// <summary>What to do with a segment whose submit_sm went out but whose answer never came (DESIGN.md, delivery guarantees).</summary>
public enum UnknownOutcomePolicy
{
    /// <summary>Send it again with the same UDH reference (the handset may show a duplicate segment once).</summary>
    Resend,

    /// <summary>Report the command as rejected, not permanent, naming the unanswered segments.</summary>
    Report,
}

/// <summary>TON/NPI and '+' handling for one side of the address (source or destination).</summary>
public sealed record AddressRule
{
    /// <summary>Overrides the TON chosen from the address when set.</summary>
    public Ton? Ton { get; init; }

    /// <summary>Overrides the NPI chosen from the address when set.</summary>
    public Npi? Npi { get; init; }

    /// <summary>Keep a leading '+' of an international number (default false: SMPP wants digits only with TON 1).</summary>
    public bool KeepPlus { get; init; }
}

/// <summary>One SMPP account (<c>Smpp:Connections:N</c>).</summary>
public sealed record SmppConnectionOptions
{
    /// <summary>The position in <c>Smpp:Connections</c> (set by the binding, not a key).</summary>
    [NotAKey]
    public int Index { get; init; }
    public string Name { get; init; } = "instasent";
    public string Host { get; init; } = "smpp.instasent.com";

    [Range(1, 65535)]
    public int Port { get; init; } = 2775;
    public string SystemId { get; init; } = "";
    public string Password { get; init; } = "";

    /// <summary>A key-per-file secret: the file's content replaces <see cref="Password"/>.</summary>
    [SecretFile(nameof(Password))]
    public string? PasswordFile { get; init; }
    public string SystemType { get; init; } = "";
    public ConnectionBindType BindType { get; init; } = ConnectionBindType.Transceiver;
    public string InterfaceVersion { get; init; } = "3.4";

    [Range(1, 64)]
    public int Sessions { get; init; } = 2;

    [Range(1, 1000)]
    public int WindowSize { get; init; } = 50;

    /// <summary>deliver_sm handled at once per session; past it the session stops reading (TCP back-pressure on the SMSC).</summary>
    [Range(1, 10_000)]
    public int MaxInboundInFlight { get; init; } = 64;

    [Range(0, 100_000)]
    public int MaxSubmitsPerSecond { get; init; }

    /// <summary>
    /// The account's binds at most, across every replica (0 = no limit): with Redis, each session slot holds a lease on
    /// one of these before it binds; in memory, it caps this process's binds (<see cref="BindsPerProcess"/>).
    /// </summary>
    [Range(0, 1000)]
    public int MaxBinds { get; init; }

    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan EnquireLinkInterval { get; init; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.05", "00:05:00")]
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.05", "00:05:00")]
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReconnectDelayMin { get; init; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan BindFailureDelay { get; init; } = TimeSpan.FromMinutes(5);
    public SegmentationMode Segmentation { get; init; } = SegmentationMode.Udh8;
    public MessageIdFormat MessageIdFormat { get; init; } = MessageIdFormat.AsIs;
    public bool UseTls { get; init; }
    public bool TlsAllowUntrustedCertificate { get; init; }
    public UnknownOutcomePolicy UnknownOutcome { get; init; } = UnknownOutcomePolicy.Resend;

    [Range(1, MessageSplitter.MaxSegmentsLimit)]
    public int MaxSegments { get; init; } = 10;

    /// <summary>
    /// The submit_sm priority_flag (SMPP 3.4 §5.2.14, 0..3) sent for a <c>priority: high</c> command; 0 (the default)
    /// leaves high and normal commands alike on the wire.
    /// </summary>
    [Range(0, 3)]
    public byte HighPriorityFlag { get; init; }

    /// <summary>
    /// The share of the connection's window (<see cref="TransmitSessions"/> × <see cref="WindowSize"/>) that normal
    /// commands may never take, so a <c>priority: high</c> command always finds a free slot (0..0.9; at least one slot
    /// whenever it is above 0 and the window has two, and normal commands always keep at least one). See
    /// <see cref="HighPrioritySlots"/>.
    /// </summary>
    [Range(0.0, 0.9)]
    public double HighPriorityWindowShare { get; init; } = 0.2;

    /// <summary>Shortest and longest numeric sender (digits, '+' not counted); Instasent documents 3-11 characters.</summary>
    [Range(1, 20)]
    public int SourceNumberMinLength { get; init; } = 3;

    [Range(1, 20)]
    public int SourceNumberMaxLength { get; init; } = 11;

    public AddressRule Source { get; init; } = new();
    public AddressRule Destination { get; init; } = new();

    /// <summary>The interface_version octet: 0x34 or 0x50.</summary>
    public byte InterfaceVersionByte => InterfaceVersion == "5.0" ? Smpp.Pdus.InterfaceVersion.V50 : Smpp.Pdus.InterfaceVersion.V34;

    /// <summary>Binds this process makes when every session is bound: a transmitter and a receiver count as two.</summary>
    public int BindsPerProcess => BindType == ConnectionBindType.Transceiver ? Sessions : Sessions * 2;

    /// <summary>Bound sessions able to submit: one per session in either bind type.</summary>
    public int TransmitSessions => Sessions;

    /// <summary>The total window of the connection: how many submit_sm may await their answer at once.</summary>
    public int TotalWindow => TransmitSessions * WindowSize;

    /// <summary>Window slots kept free for high-priority commands: <see cref="HighPriorityWindowShare"/> of the total window.</summary>
    public int HighPrioritySlots => HighPriorityWindowShare <= 0 || TotalWindow < 2 ? 0 : Math.Clamp((int)Math.Ceiling(TotalWindow * HighPriorityWindowShare), 1, TotalWindow - 1);

    /// <summary>The internal queue this connection's commands wait in.</summary>
    public string QueueName => $"smpp-send-sms.{Name}";

    /// <summary>Appended to <see cref="QueueName"/> for the queue of the connection's high-priority commands.</summary>
    public const string HighQueueSuffix = ".high";

    /// <summary>The internal queue this connection's <c>priority: high</c> commands wait in, consumed first.</summary>
    public string HighQueueName => QueueName + HighQueueSuffix;

    /// <summary>Where commands for this connection are sent: the exchange bound to <see cref="QueueName"/> (<see cref="RabbitMqOptions.SendAddress"/>).</summary>
    public Uri QueueAddress => RabbitMqOptions.SendAddress(QueueName);

    /// <summary>The queue (and its exchange) for a command of <paramref name="priority"/>.</summary>
    public string QueueNameFor(string? priority) => priority == SmsPriorities.High ? HighQueueName : QueueName;

    /// <summary>The bus address of the queue for a command of <paramref name="priority"/>.</summary>
    public Uri QueueAddressFor(string? priority) => RabbitMqOptions.SendAddress(QueueNameFor(priority));

    /// <summary>Never print the password (records print every property by default).</summary>
    public override string ToString() => $"{Name} ({SystemId}@{Host}:{Port})";
}

/// <summary>The type of every queue the adapter declares (<c>RabbitMq:QueueType</c>).</summary>
public enum RabbitMqQueueType
{
    /// <summary>RabbitMQ's default: on one node, so a cluster that loses that node loses the queue's messages.</summary>
    Classic,

    /// <summary>Replicated on a majority of the cluster's nodes (Raft): survives the loss of a minority of them.</summary>
    Quorum,
}

/// <summary>What publishes the adapter's events and forwards its commands (<c>RabbitMq:Publisher</c>).</summary>
public enum BrokerPublisherKind
{
    /// <summary>RabbitMQ.Client on a connection of its own (events in MassTransit's envelope): the default, cheaper per message.</summary>
    RabbitMqClient,

    /// <summary>MassTransit's publish and send pipelines (the in-memory test harness needs them).</summary>
    MassTransit,
}

/// <summary>What consumes the public command queue <c>smpp-send-sms</c> (<c>RabbitMq:Consumer</c>).</summary>
public enum CommandConsumerKind
{
    /// <summary>RabbitMQ.Client on a connection of its own (Sending/SendSmsQueueConsumer): the default, cheaper per command. Needs the RabbitMQ.Client publisher.</summary>
    RabbitMqClient,

    /// <summary>A MassTransit receive endpoint, as every other queue of the adapter.</summary>
    MassTransit,
}

/// <summary><c>RabbitMq:*</c>.</summary>
public sealed record RabbitMqOptions
{
    /// <summary>
    /// Where MassTransit sends to <paramref name="queue"/>: the exchange of the same name bound to it. Not <c>queue:</c>,
    /// which would make every sender re-declare the queue without its arguments (a quorum queue refuses that); the queue
    /// and its binding are declared by the endpoints that consume it (Hosting/QueueTopology), so they exist before
    /// anything is sent.
    /// </summary>
    public static Uri SendAddress(string queue) => new($"exchange:{queue}");

    public Uri Uri { get; init; } = new("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>The broker user; when set it wins over a user inside <see cref="Uri"/>.</summary>
    public string? Username { get; init; }

    /// <summary>A key-per-file secret: the file's content replaces <see cref="Username"/>.</summary>
    [SecretFile(nameof(Username))]
    public string? UsernameFile { get; init; }

    /// <summary>The broker password; when set it wins over a password inside <see cref="Uri"/>. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>A key-per-file secret: the file's content replaces <see cref="Password"/>.</summary>
    [SecretFile(nameof(Password))]
    public string? PasswordFile { get; init; }

    /// <summary>Prefetch of each per-connection endpoint; null = derived from the connection's total window.</summary>
    [Range(1, 65535)]
    public int? PrefetchCount { get; init; }

    /// <summary>Classic (default) or quorum: applies to every queue the adapter owns (Hosting/QueueTopology).</summary>
    public RabbitMqQueueType QueueType { get; init; } = RabbitMqQueueType.Classic;

    /// <summary>
    /// Quorum queues only: deliveries of one message (x-delivery-limit) before RabbitMQ dead-letters it to the queue's
    /// <c>_error</c> queue, so a message that keeps failing a consumer (e.g. crashes the process) stops coming back.
    /// </summary>
    [Range(1, 1000)]
    public int DeliveryLimit { get; init; } = 20;

    /// <summary>
    /// The broker nodes (<c>host:port</c>, <c>RabbitMq:ClusterNodes:0</c>, <c>:1</c>…) tried in turn, each reconnection
    /// moving on to the next; empty = the host of <see cref="Uri"/> alone. The URI still gives credentials and virtual host.
    /// </summary>
    public IReadOnlyList<string> ClusterNodes { get; init; } = [];

    /// <summary>
    /// What publishes the events (outcomes, receipts, inbound messages, session events) and sends the commands the router
    /// forwards to a connection's queue: RabbitMQ.Client (default) or MassTransit. Same exchanges, same envelope for the
    /// events, same confirms; commands are consumed by MassTransit either way.
    /// </summary>
    public BrokerPublisherKind Publisher { get; init; } = BrokerPublisherKind.RabbitMqClient;

    /// <summary>
    /// What consumes <c>smpp-send-sms</c>: RabbitMQ.Client (default; only with the RabbitMQ.Client <see cref="Publisher"/>,
    /// else MassTransit does) or a MassTransit endpoint. Same queue, topology, formats, retries, error queue and
    /// acknowledgement after the confirmed outcome either way. The connections' queues are consumed by MassTransit.
    /// </summary>
    public CommandConsumerKind Consumer { get; init; } = CommandConsumerKind.RabbitMqClient;

    /// <summary><see cref="Consumer"/> as it applies: RabbitMQ.Client only beside the RabbitMQ.Client publisher it moves faults with.</summary>
    public bool ConsumesCommandsOnRabbitMqClient => Consumer == CommandConsumerKind.RabbitMqClient && Publisher == BrokerPublisherKind.RabbitMqClient;

    /// <summary>
    /// How long one of MassTransit's receive endpoints may stay unable to consume while the broker answers before the
    /// adapter stops, exit code 70, for its supervisor to start it again (Hosting/EndpointStallWatchdog); zero turns the
    /// watchdog off. Unset: <see cref="StallTimeout"/>'s default.
    /// </summary>
    public TimeSpan? StalledEndpointTimeout { get; init; }

    /// <summary>
    /// <see cref="StalledEndpointTimeout"/>, or by default 2 minutes or, if longer, what a connection queue's endpoint may
    /// take to stop while the SMSC is away (each command it holds waits up to the retry budget, then the drain) and 30 s.
    /// </summary>
    public TimeSpan StallTimeout(SendingOptions sending) =>
        StalledEndpointTimeout ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(2).Ticks, (sending.LongestAttempt() + TimeSpan.FromSeconds(30)).Ticks));

    /// <summary>Never print a credential (records print every property by default).</summary>
    public override string ToString() =>
        $"RabbitMq {{ Uri = {Uri.Scheme}://{Uri.Host}:{Uri.Port}{Uri.AbsolutePath}, QueueType = {QueueType}, ClusterNodes = [{string.Join(", ", ClusterNodes)}], Publisher = {Publisher}, Consumer = {Consumer} }}";
}

/// <summary><c>Http:*</c>.</summary>
public sealed record HttpOptions
{
    public string Urls { get; init; } = "http://127.0.0.1:8080";
}

/// <summary><c>Telemetry:*</c>.</summary>
public sealed record TelemetryOptions
{
    public bool ConsoleExporter { get; init; }

    /// <summary>
    /// Whether the adapter records traces no caller sampled: a command published without a trace context (or with an
    /// unsampled one), a receipt, an inbound SMS. Unset: yes when spans are exported (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
    /// <see cref="ConsoleExporter"/>), else no, so an adapter that exports nothing spends nothing on spans. A trace its
    /// caller sampled (a <c>traceparent</c> with the sampled flag) is always recorded and carried on, flag included.
    /// </summary>
    public bool? StartTraces { get; init; }

    /// <summary>
    /// Collect MassTransit's own metrics (per-message receive, consume and send counters and durations, meter
    /// <c>MassTransit</c>) besides the adapter's. On by default; the adapter's dashboards and alerts do not use them.
    /// </summary>
    public bool MassTransitMetrics { get; init; } = true;

    /// <summary><see cref="StartTraces"/> as it applies: set, or whether an exporter is configured.</summary>
    public bool StartsTraces(bool otlpExporter) => StartTraces ?? (otlpExporter || ConsoleExporter);

    /// <summary>
    /// Let MassTransit report usage to its vendor (a call out of the deployment at start). Off unless set: nothing calls
    /// out of the deployment unasked.
    /// </summary>
    public bool MassTransitUsageTelemetry { get; init; }
}

/// <summary><c>Adapter:*</c>: retry budget, stores and shutdown (not in the fixed key list; all have working defaults).</summary>
public sealed record SendingOptions
{
    /// <summary>
    /// Longest a command spends in in-process retries (throttling back-off, resending unanswered segments) before it is
    /// handed back to its queue. RabbitMQ's consumer timeout defaults to 30 minutes; this stays far inside it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan RetryBudget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First back-off after ESME_RTHROTTLED / ESME_RMSGQFUL; doubles up to <see cref="ThrottleBackoffMax"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan ThrottleBackoffMin { get; init; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan ThrottleBackoffMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a segment with an unknown outcome is resent before the command is handed back.</summary>
    [Range(0, 10)]
    public int MaxUnknownOutcomeResends { get; init; } = 2;

    /// <summary>
    /// How many times a command may be handed back to its queue for want of a final outcome; the attempt after the last
    /// one ends in <c>SmsRejected</c> (<c>permanent: false</c>) instead. Hand-backs on shutdown do not count.
    /// </summary>
    [Range(0, 1000)]
    public int MaxHandBacks { get; init; } = 10;

    /// <summary>How long a receipt waits for its submit_sm_resp to be recorded before it is published unmatched.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ReceiptMatchWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The deadline of every publish to the broker (outcomes, receipts, inbound SMS, session events). Past it a
    /// deliver_sm is answered ESME_RX_T_APPN (the SMSC sends it again) and a command is handed back.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00")]
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long final outcomes and receipt correlations are kept (the longest validity period).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan StoreRetention { get; init; } = TimeSpan.FromHours(72);

    [Range(100, 100_000_000)]
    public int IdempotencyMaxEntries { get; init; } = 1_000_000;

    [Range(100, 100_000_000)]
    public int CorrelationMaxEntries { get; init; } = 2_000_000;

    /// <summary>
    /// How long the parts of a long inbound SMS are kept waiting for the rest, from its first part; past it the partial
    /// message is dropped and reported (log and <c>smpp.adapter.inbound.expired</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3.00:00:00")]
    public TimeSpan InboundPartExpiry { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Bounded drain on shutdown.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest one attempt holds a command: the retry budget, then the shutdown drain.</summary>
    public TimeSpan LongestAttempt() => RetryBudget + ShutdownTimeout;

    /// <summary>
    /// With exactly one connection configured, the consumer of <c>smpp-send-sms</c> submits a command itself while that
    /// connection's queue is open (a session is bound) instead of forwarding it to <c>smpp-send-sms.&lt;connection&gt;</c>:
    /// one broker hop per command instead of two. While no session is bound it forwards as before, so commands still
    /// wait in RabbitMQ. False keeps the router hop for every command (<c>Adapter:DirectSubmit</c>).
    /// </summary>
    public bool DirectSubmit { get; init; } = true;

    /// <summary>
    /// With <see cref="DirectSubmit"/>, how long the consumer of <c>smpp-send-sms</c> waits for a free direct-submit slot
    /// (the connection's normal share of the window) before forwarding the command to the connection's queue instead
    /// (<c>Adapter:DirectSubmitWait</c>, default 25 ms). Zero forwards at once. A command behind waiting ones in
    /// <c>smpp-send-sms</c>, a high one included, reaches its lane at most this much later. The default lets a slot
    /// answered within it take the command: in a full-speed burst 5 % of the commands were forwarded instead of 32 %,
    /// and the adapter and the broker spent 19 % less CPU per command (docs/performance.md, Session 15).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan DirectSubmitWait { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// With <see cref="DirectSubmit"/>, whether the consumer of <c>smpp-send-sms</c> forwards a normal command to the
    /// connection's queue when no direct-submit slot is free (<c>Adapter:ForwardBacklog</c>, default true). True keeps
    /// <c>smpp-send-sms</c> drained at broker speed, so a <c>priority: high</c> command published behind a campaign
    /// reaches its lane at once; each forwarded command costs a second broker hop (a persistent, confirmed publish, a
    /// delivery and an ack). False waits for a slot instead: every normal command takes one hop, and a backlog stays in
    /// <c>smpp-send-sms</c>, where a high command published behind it waits its turn (publish it to
    /// <c>smpp-send-sms.&lt;connection&gt;.high</c> to keep its head start). A graceful stop ends every wait.
    /// </summary>
    public bool ForwardBacklog { get; init; } = true;
}

/// <summary>Where the adapter keeps its state (<c>Stores:*</c>).</summary>
public enum StoreProvider
{
    /// <summary>In the process: one replica, lost on restart.</summary>
    Memory,

    /// <summary>In Redis: shared by every replica, kept across restarts.</summary>
    Redis,
}

/// <summary><c>Stores:*</c>: the idempotency, submit-progress and correlation stores.</summary>
public sealed record StoresOptions
{
    public StoreProvider Provider { get; init; } = StoreProvider.Memory;

    /// <summary>A StackExchange.Redis configuration string (<c>Stores:Redis:Configuration</c>).</summary>
    [ConfigurationKeyName("Redis:Configuration")]
    public string RedisConfiguration { get; init; } = "127.0.0.1:6379";

    /// <summary><c>Stores:Redis:Password</c>; overrides a password in the configuration string. Never printed.</summary>
    [ConfigurationKeyName("Redis:Password")]
    public string? RedisPassword { get; init; }

    /// <summary>A key-per-file secret (<c>Stores:Redis:PasswordFile</c>): the file's content replaces <see cref="RedisPassword"/>.</summary>
    [ConfigurationKeyName("Redis:PasswordFile")]
    [SecretFile(nameof(RedisPassword))]
    public string? RedisPasswordFile { get; init; }

    /// <summary>Every key and channel starts with it: one namespace per deployment sharing a server.</summary>
    [ConfigurationKeyName("Redis:KeyPrefix")]
    public string KeyPrefix { get; init; } = "smpp-adapter:";

    /// <summary>How long a final outcome is remembered in Redis (a redelivery within it is answered, not resent).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan OutcomeRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a claim lives without its holder releasing it; longer than any attempt (retry budget + shutdown drain
    /// + a margin), so only a replica that died holding it lets it lapse.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; init; } = DefaultClaimLease(new SendingOptions());

    /// <summary>
    /// How long a bind slot lease (<see cref="SmppConnectionOptions.MaxBinds"/>) lives unrenewed; renewed every third of
    /// it while bound. A replica that cannot renew unbinds before it lapses; a dead replica's slot returns after it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan BindSlotLease { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Submit tokens a replica takes from the account's shared budget in one round trip (0 = a twentieth of
    /// <c>MaxSubmitsPerSecond</c>, at least 1). Larger batches mean fewer round trips and a looser per-second bound.
    /// </summary>
    [Range(0, 10_000)]
    public int SubmitTokenBatch { get; init; }

    public static TimeSpan DefaultClaimLease(SendingOptions sending) => sending.LongestAttempt() + TimeSpan.FromSeconds(30);

    /// <summary>Never print the password (records print every property by default).</summary>
    public override string ToString() => $"Stores {{ Provider = {Provider}, KeyPrefix = {KeyPrefix}, OutcomeRetention = {OutcomeRetention}, ClaimLease = {ClaimLease}, BindSlotLease = {BindSlotLease}, SubmitTokenBatch = {SubmitTokenBatch} }}";
}
