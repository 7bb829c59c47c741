using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Logging;

namespace Instasent.Smpp.Client;

// Spans, metrics and log lines, with the names HELPERS.md fixes (ops dashboards and alerts use them).
public sealed partial class SmppSession
{
    private static readonly ActivitySource s_activitySource = new(SmppTelemetry.ActivitySourceName);
    private static readonly Meter s_meter = new(SmppTelemetry.MeterName);

    private static readonly UpDownCounter<long> s_sessionsBound =
        s_meter.CreateUpDownCounter<long>("smpp.client.sessions.bound", "{session}", "Sessions bound to the SMSC");
    private static readonly UpDownCounter<long> s_windowInUse =
        s_meter.CreateUpDownCounter<long>("smpp.client.window.in_use", "{request}", "Requests waiting for their response");
    private static readonly UpDownCounter<long> s_windowSize =
        s_meter.CreateUpDownCounter<long>("smpp.client.window.size", "{request}", "Window size of bound sessions");
    private static readonly Histogram<double> s_requestDuration =
        s_meter.CreateHistogram<double>("smpp.client.request.duration", "s", "Time from sending a request to its response",
            advice: new InstrumentAdvice<double>
            {
                // SMSC round trips: sub-millisecond on loopback, tens of milliseconds typical, seconds when congested.
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            });
    private static readonly Counter<long> s_pdus =
        s_meter.CreateCounter<long>("smpp.client.pdus", "{pdu}", "PDUs sent and received");
    private static readonly Counter<long> s_throttled =
        s_meter.CreateCounter<long>("smpp.client.throttled", "{response}", "Responses saying ESME_RTHROTTLED or ESME_RMSGQFUL");
    private static readonly Counter<long> s_binds =
        s_meter.CreateCounter<long>("smpp.client.binds", "{bind}", "Bind attempts answered by the SMSC, by command_status");

    // Tag values come from small fixed sets: spec names, and "unknown" for values SMPP does not define, so a
    // misbehaving SMSC cannot blow up metric cardinality.
    private static readonly ConcurrentDictionary<CommandStatus, string> s_statusTags = new();

    private readonly SessionTags _tags;

    private static class Tags
    {
        public const string Connection = "smpp.connection";
        public const string BindType = "smpp.bind_type";
        public const string Command = "smpp.command";
        public const string CommandStatus = "smpp.command_status";
        public const string Direction = "smpp.direction";
        public const string SequenceNumber = "smpp.sequence_number";
        public const string MessageId = "smpp.message_id";
        public const string DestinationAddr = "smpp.destination_addr";
        public const string SessionId = "smpp.session_id";

        // OpenTelemetry semantic conventions: the SMSC is the server of every SMPP span; error.type on a failure.
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        public const string ErrorType = "error.type";
        public const string Sent = "sent";
        public const string Received = "received";
    }

    private sealed class SessionTags(string connection, BindType bindType)
    {
        public readonly KeyValuePair<string, object?> Connection = new(Tags.Connection, connection);
        public readonly KeyValuePair<string, object?> BindType = new(Tags.BindType, bindType switch
        {
            Client.BindType.Transmitter => "transmitter",
            Client.BindType.Receiver => "receiver",
            _ => "transceiver",
        });
    }

    private static string StatusTag(CommandStatus status) =>
        status == CommandStatus.ESME_ROK ? "ESME_ROK" : s_statusTags.GetOrAdd(status, static s => s.Name() ?? (
            (uint)s is >= 0x400 and <= 0x4FF ? $"0x{(uint)s:X8}" : "unknown"));

    private static string CommandTag(CommandId command) => command.Name() ?? "unknown";

    private static string SpanName(CommandId command) => command switch
    {
        CommandId.SubmitSm => "smpp submit_sm",
        CommandId.DeliverSm => "smpp deliver_sm",
        CommandId.EnquireLink => "smpp enquire_link",
        CommandId.Unbind => "smpp unbind",
        CommandId.BindTransceiver => "smpp bind_transceiver",
        CommandId.BindTransmitter => "smpp bind_transmitter",
        CommandId.BindReceiver => "smpp bind_receiver",
        _ => "smpp " + CommandTag(command),
    };

    private void RecordPdu(Pdu pdu, string direction)
    {
        if (!s_pdus.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            _tags.Connection,
            { Tags.Command, CommandTag(pdu.CommandId) },
            { Tags.CommandStatus, StatusTag(pdu.CommandStatus) },
            { Tags.Direction, direction },
        };
        s_pdus.Add(1, in tags);
    }

    private void RecordResponse(CommandId request, CommandStatus status, long startedTimestamp)
    {
        if (s_requestDuration.Enabled)
        {
            var tags = new TagList { _tags.Connection, { Tags.Command, CommandTag(request) }, { Tags.CommandStatus, StatusTag(status) } };
            s_requestDuration.Record(_timeProvider.GetElapsedTime(startedTimestamp).TotalSeconds, in tags);
        }
        if (status.IsTransient() && s_throttled.Enabled)
        {
            s_throttled.Add(1, _tags.Connection, new KeyValuePair<string, object?>(Tags.CommandStatus, StatusTag(status)));
        }
    }

    private void RecordBind(CommandStatus status) =>
        s_binds.Add(1, _tags.Connection, _tags.BindType, new KeyValuePair<string, object?>(Tags.CommandStatus, StatusTag(status)));

    private void RecordWindowInUse(int delta)
    {
        if (s_windowInUse.Enabled)
        {
            s_windowInUse.Add(delta, _tags.Connection);
        }
    }

    private void OnBound()
    {
        s_sessionsBound.Add(1, _tags.Connection, _tags.BindType);
        s_windowSize.Add(Options.WindowSize, _tags.Connection);
    }

    private void OnUnbound()
    {
        s_sessionsBound.Add(-1, _tags.Connection, _tags.BindType);
        s_windowSize.Add(-Options.WindowSize, _tags.Connection);
    }

    /// <summary>A client span for a request, child of the caller's current Activity (the trace that asked for the send).</summary>
    private Activity? StartRequestActivity(Pdu request)
    {
        var activity = s_activitySource.StartActivity(SpanName(request.CommandId), ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(Tags.Connection, Options.ConnectionName);
            activity.SetTag(Tags.SessionId, SessionId);
            activity.SetTag(Tags.ServerAddress, Options.Host);
            activity.SetTag(Tags.ServerPort, Options.Port);
            if (request is ShortMessagePdu message)
            {
                activity.SetTag(Tags.DestinationAddr, SmppTelemetry.MaskPhoneNumber(message.DestinationAddr));
            }
        }
        return activity;
    }

    /// <summary>A server span around the handler's work on one of the SMSC's requests; a new trace.</summary>
    private Activity? StartInboundActivity(Pdu request)
    {
        var activity = s_activitySource.StartActivity(SpanName(request.CommandId), ActivityKind.Server, parentContext: default);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Tags.Connection, Options.ConnectionName);
            activity.SetTag(Tags.SessionId, SessionId);
            activity.SetTag(Tags.ServerAddress, Options.Host);
            activity.SetTag(Tags.ServerPort, Options.Port);
            activity.SetTag(Tags.SequenceNumber, request.SequenceNumber);
            if (request is DeliverSm deliver && deliver.Tlvs.ReceiptedMessageId is { } receipted)
            {
                activity.SetTag(Tags.MessageId, receipted);
            }
        }
        return activity;
    }

    private static void EndActivity(Activity? activity, Pdu? response, Exception? failure)
    {
        if (activity is null)
        {
            return;
        }

        if (response is not null)
        {
            activity.SetTag(Tags.CommandStatus, StatusTag(response.CommandStatus));
            if (response is MessageIdResponse { MessageId.Length: > 0 } withId)
            {
                activity.SetTag(Tags.MessageId, withId.MessageId);
            }

            if (response.CommandStatus != CommandStatus.ESME_ROK)
            {
                activity.SetStatus(ActivityStatusCode.Error, response.CommandStatus.Describe());
                activity.SetTag(Tags.ErrorType, StatusTag(response.CommandStatus));
            }
        }
        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
            activity.SetTag(Tags.ErrorType, failure.GetType().FullName);
        }
        activity.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SMPP session {SessionId} bound to {Host}:{Port} ({Bind}); SMSC system_id {RemoteSystemId}, sc_interface_version {ScInterfaceVersion}")]
        public static partial void Bound(ILogger logger, string sessionId, string host, int port, string bind, string remoteSystemId, string scInterfaceVersion);

        [LoggerMessage(2, LogLevel.Information, "SMPP session {SessionId} closed ({Reason}): {Detail}; {Outstanding} request(s) were still outstanding")]
        public static partial void Closed(ILogger logger, string sessionId, SmppCloseReason reason, string detail, int outstanding);

        [LoggerMessage(3, LogLevel.Warning, "SMPP session {SessionId} closed ({Reason}): {Detail}; {Outstanding} request(s) were still outstanding")]
        public static partial void ClosedOnError(ILogger logger, Exception? exception, string sessionId, SmppCloseReason reason, string detail, int outstanding);

        [LoggerMessage(4, LogLevel.Warning, "SMPP session {SessionId}: no response to {Command} (sequence {SequenceNumber}) within {TimeoutSeconds} s")]
        public static partial void ResponseTimedOut(ILogger logger, string sessionId, string command, uint sequenceNumber, double timeoutSeconds);

        [LoggerMessage(5, LogLevel.Debug, "SMPP session {SessionId}: {Command} (sequence {SequenceNumber}, {Status}) answers no outstanding request; ignored")]
        public static partial void UnexpectedResponse(ILogger logger, string sessionId, string command, uint sequenceNumber, string status);

        [LoggerMessage(6, LogLevel.Warning, "SMPP session {SessionId}: the SMSC sent {Command} (sequence {SequenceNumber}), which this client does not support; answered generic_nack ESME_RINVCMDID")]
        public static partial void UnsupportedRequest(ILogger logger, string sessionId, string command, uint sequenceNumber);

        [LoggerMessage(7, LogLevel.Warning, "SMPP session {SessionId}: undecodable PDU from the SMSC, answered and skipped: {Error}")]
        public static partial void UndecodablePdu(ILogger logger, string sessionId, string error);

        [LoggerMessage(8, LogLevel.Information, "SMPP session {SessionId}: the SMSC sent unbind; answering unbind_resp and closing")]
        public static partial void RemoteUnbind(ILogger logger, string sessionId);

        [LoggerMessage(9, LogLevel.Error, "SMPP session {SessionId}: the inbound handler failed on {Command} (sequence {SequenceNumber}); answered ESME_RX_T_APPN so the SMSC retries")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string sessionId, string command, uint sequenceNumber);

        [LoggerMessage(10, LogLevel.Warning, "SMPP session {SessionId}: {Command} (sequence {SequenceNumber}) arrived but the session has no inbound handler; answered ESME_RX_T_APPN")]
        public static partial void NoInboundHandler(ILogger logger, string sessionId, string command, uint sequenceNumber);

        [LoggerMessage(11, LogLevel.Warning, "SMPP session {SessionId}: closing with {WindowInUse} request(s) and {Inbound} inbound message(s) still outstanding after {TimeoutSeconds} s")]
        public static partial void DrainTimedOut(ILogger logger, string sessionId, int windowInUse, int inbound, double timeoutSeconds);

        [LoggerMessage(12, LogLevel.Information, "SMPP session {SessionId}: unbind did not complete ({Reason}); closing the connection")]
        public static partial void UnbindFailed(ILogger logger, string sessionId, string reason);

        [LoggerMessage(13, LogLevel.Debug, "SMPP session {SessionId}: enquire_link failed: {Reason}")]
        public static partial void EnquireLinkFailed(ILogger logger, string sessionId, string reason);

        [LoggerMessage(14, LogLevel.Error, "SMPP session {SessionId}: a StateChanged handler threw on {State}")]
        public static partial void StateHandlerFailed(ILogger logger, Exception exception, string sessionId, SmppSessionState state);
    }
}
