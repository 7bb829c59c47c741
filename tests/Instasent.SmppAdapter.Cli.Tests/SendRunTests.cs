using System.Text.Json;
using System.Threading.Channels;
using Instasent.SmppAdapter.Cli;
using Instasent.SmppAdapter.Contracts;
using Instasent.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>
/// <c>send</c> without a broker: the command goes to a delegate standing in for the send endpoint, which answers by
/// writing the adapter's events into the channel the subscription would fill.
/// </summary>
public sealed class SendRunTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly Channel<BusEvent> _events = Channel.CreateUnbounded<BusEvent>();
    private readonly LockedStringWriter _out = new();
    private readonly LockedStringWriter _error = new();

    [Fact]
    public async Task Every_message_submitted_is_exit_0_with_each_outcome_printed()
    {
        var summary = await RunAsync(Plan(count: 3), TimeProvider.System, message => Publish(Submitted(message.MessageId, "smsc-" + message.MessageId)));

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        Assert.Equal((3, 3, 3, 0, 0), (summary.Total, summary.Sent, summary.Submitted, summary.RejectedCount, summary.TimedOut));
        Assert.Equal(3, summary.OutcomeLatency!.Count);
        var lines = _out.Lines();
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, line => line.Contains(" submitted ") && line.Contains("m-2 segments=1 smscIds=smsc-m-2 connection=instasent session=s-1"));
    }

    [Fact]
    public async Task Latency_runs_from_just_before_the_send_to_the_outcome()
    {
        var time = new FakeTimeProvider(At);

        var summary = await RunAsync(Plan(count: 1), time, message =>
        {
            time.Advance(TimeSpan.FromMilliseconds(40));
            Publish(Submitted(message.MessageId, "smsc-1"));
        });

        Assert.Equal(new LatencySummary(1, Ms(40), Ms(40), Ms(40), Ms(40)), summary.OutcomeLatency);
    }

    [Fact]
    public async Task Rejections_are_counted_by_command_status_and_make_exit_1()
    {
        var summary = await RunAsync(Plan(count: 4), TimeProvider.System, message => Publish(
            message.MessageId == "m-3"
                ? Submitted(message.MessageId, "smsc-3")
                : Rejected(message.MessageId, message.MessageId == "m-4" ? null : 11, message.MessageId == "m-4" ? null : "ESME_RINVDSTADR")));

        Assert.Equal(ExitCodes.Failed, summary.ExitCode);
        Assert.Equal(1, summary.Submitted);
        Assert.Equal(new Dictionary<string, int> { ["ESME_RINVDSTADR (0x0B)"] = 2, ["destination refused"] = 1 }, summary.Rejected);
        Assert.Contains("  rejected 2 × ESME_RINVDSTADR (0x0B)", summary.ToLines());
    }

    [Fact]
    public async Task A_message_without_an_outcome_times_out_and_makes_exit_1()
    {
        var time = new FakeTimeProvider(At);
        var run = StartAsync(Plan(count: 2, timeout: Ms(300)), time, message =>
        {
            if (message.MessageId == "m-1")
            {
                Publish(Submitted(message.MessageId, "smsc-1"));
            }
        });

        var summary = await TimeOutAsync(run, time, outcomesPrinted: 1);

        Assert.Equal(ExitCodes.Failed, summary.ExitCode);
        Assert.Equal((1, 1), (summary.Submitted, summary.TimedOut));
        Assert.Contains("outcomes: 1 submitted, 0 rejected, 1 timed out", summary.ToLines());
    }

    [Fact]
    public async Task Repeated_outcomes_and_other_services_messages_are_neither_counted_nor_printed()
    {
        var summary = await RunAsync(Plan(count: 1), TimeProvider.System, message =>
        {
            Publish(Submitted("someone-elses", "smsc-x"));
            Publish(Submitted(message.MessageId, "smsc-1"));
            Publish(Submitted(message.MessageId, "smsc-1"));
            Publish(Rejected(message.MessageId, 11, "ESME_RINVDSTADR"));
        });

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        Assert.Equal((1, 0), (summary.Submitted, summary.RejectedCount));
        Assert.Single(_out.Lines());
    }

    [Fact]
    public async Task Waiting_for_receipts_needs_a_final_one_per_segment_matched_by_smsc_id_when_the_message_id_is_unknown()
    {
        var time = new FakeTimeProvider(At);

        var summary = await RunAsync(Plan(count: 1, waitReceipts: true), time, message =>
        {
            Publish(Submitted(message.MessageId, "a1", "a2"));
            time.Advance(TimeSpan.FromSeconds(2));
            Publish(Receipt(null, "a1", "ENROUTE", intermediate: true));
            Publish(Receipt(null, "a1", "DELIVRD"));
            Publish(Receipt(message.MessageId, "a1", "DELIVRD")); // at least once: a repeat
            time.Advance(TimeSpan.FromSeconds(1));
            Publish(Receipt(message.MessageId, "a2", "DELIVRD"));
        });

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        Assert.Equal(new Dictionary<string, int> { ["DELIVRD"] = 2 }, summary.ReceiptStatuses);
        Assert.Equal(0, summary.ReceiptsTimedOut);
        Assert.Equal(TimeSpan.FromSeconds(3), summary.ReceiptLatency!.Max);
        // The outcome, the intermediate notification and two final receipts; the repeat is not printed.
        Assert.Equal(4, _out.Lines().Length);
    }

    [Fact]
    public async Task A_missing_receipt_times_out_and_makes_exit_1()
    {
        var time = new FakeTimeProvider(At);
        var run = StartAsync(Plan(count: 1, waitReceipts: true, timeout: Ms(300)), time, message =>
        {
            Publish(Submitted(message.MessageId, "a1", "a2"));
            Publish(Receipt(message.MessageId, "a1", "DELIVRD"));
        });

        var summary = await TimeOutAsync(run, time, outcomesPrinted: 2);

        Assert.Equal(ExitCodes.Failed, summary.ExitCode);
        Assert.Equal((1, 1), (summary.Submitted, summary.ReceiptsTimedOut));
    }

    [Fact]
    public async Task Without_waiting_for_outcomes_sending_everything_is_exit_0()
    {
        var sent = new List<string>();

        var summary = await RunAsync(Plan(count: 3, waitOutcome: false), TimeProvider.System, message => sent.Add(message.MessageId));

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        Assert.Equal(["m-1", "m-2", "m-3"], sent);
        Assert.Equal(["sent 3/3"], summary.ToLines().Select(l => l.Split(" at ")[0]));
    }

    [Fact]
    public async Task Ctrl_c_ends_the_run_with_a_summary_and_exit_130()
    {
        using var ctrlC = new CancellationTokenSource();

        var summary = await RunAsync(Plan(count: 5), TimeProvider.System, message =>
        {
            Publish(Submitted(message.MessageId, "smsc"));
            if (message.MessageId == "m-2")
            {
                ctrlC.Cancel();
            }
        }, ctrlC.Token);

        Assert.True(summary.Interrupted);
        Assert.Equal(ExitCodes.Interrupted, summary.ExitCode);
        Assert.Equal(2, summary.Sent);
    }

    [Fact]
    public async Task With_json_each_event_and_the_summary_are_json_lines()
    {
        var summary = await RunAsync(Plan(count: 1), TimeProvider.System, message => Publish(Submitted(message.MessageId, "smsc-1")), json: true);

        var line = JsonDocument.Parse(_out.ToString().Trim()).RootElement;
        Assert.Equal("submitted", line.GetProperty("type").GetString());
        Assert.Equal("m-1", line.GetProperty("message").GetProperty("messageId").GetString());
        var total = JsonDocument.Parse(summary.ToJson()).RootElement;
        Assert.Equal("summary", total.GetProperty("type").GetString());
        Assert.Equal(0, total.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Off_a_terminal_the_progress_is_a_few_plain_lines_on_stderr()
    {
        await RunAsync(Plan(count: 20), TimeProvider.System, message => Publish(Submitted(message.MessageId, "smsc")));

        var progress = _error.Lines();
        Assert.InRange(progress.Length, 2, 12); // at most one a tenth (0 to 10 tenths sent), plus the final state
        Assert.DoesNotContain('\r', _error.ToString());
        Assert.StartsWith("[##############################] 20/20 sent 20", progress[^1]);
    }

    private Task<SendSummary> RunAsync(SendPlan plan, TimeProvider time, Action<SendSms> adapter,
        CancellationToken cancellationToken = default, bool json = false) =>
        StartAsync(plan, time, adapter, cancellationToken, json).WaitAsync(TimeSpan.FromSeconds(20));

    private Task<SendSummary> StartAsync(SendPlan plan, TimeProvider time, Action<SendSms> adapter,
        CancellationToken cancellationToken = default, bool json = false)
    {
        var environment = new CliEnvironment(_out, _error, ErrorIsTerminal: false, time, HandleCtrlC: false);
        return SendRun.RunAsync(plan, (message, _) =>
        {
            adapter(message);
            return Task.CompletedTask;
        }, _events.Reader, new Terminal(environment, json), time, cancellationToken);
    }

    /// <summary>
    /// Once the run has printed <paramref name="outcomesPrinted"/> lines (so what did arrive is counted, however
    /// slow the machine), moves the fake clock past the timeout until the run ends: the first step may land before
    /// the run has started its wait, and a wait started after it needs another.
    /// </summary>
    private async Task<SendSummary> TimeOutAsync(Task<SendSummary> run, FakeTimeProvider time, int outcomesPrinted)
    {
        await Eventually.TrueAsync(() => _out.Lines().Length >= outcomesPrinted, $"{outcomesPrinted} outcome lines", TimeSpan.FromSeconds(20));
        Assert.Equal(outcomesPrinted, _out.Lines().Length);
        await Eventually.TrueAsync(() =>
        {
            time.Advance(Ms(301));
            return run.IsCompleted;
        }, "the run to end once the fake clock is past its timeout", TimeSpan.FromSeconds(20));
        return await run;
    }

    private static SendPlan Plan(int count, bool waitOutcome = true, bool waitReceipts = false, TimeSpan? timeout = null) => new(
        Enumerable.Range(1, count).Select(i => new SendSms { MessageId = $"m-{i}", From = "Instasent", To = "+34600000000", Text = "hola" }).ToList(),
        Rate: null, waitOutcome, waitReceipts, timeout ?? TimeSpan.FromSeconds(30));

    private void Publish(object message) => Assert.True(_events.Writer.TryWrite(BusEvent.Of(message)));

    private static SmsSubmitted Submitted(string messageId, params string[] smscIds) => new()
    {
        MessageId = messageId, SmscMessageIds = smscIds, Segments = smscIds.Length, Connection = "instasent", SessionId = "s-1", SubmittedAt = At,
    };

    private static SmsRejected Rejected(string messageId, int? status, string? statusName) => new()
    {
        MessageId = messageId, Reason = "destination refused", CommandStatus = status, CommandStatusName = statusName, Permanent = true, RejectedAt = At,
    };

    private static SmsDeliveryReported Receipt(string? messageId, string smscId, string status, bool intermediate = false) => new()
    {
        MessageId = messageId, SmscMessageId = smscId, Status = status, ReceivedAt = At, Intermediate = intermediate, Connection = "instasent",
    };

    private static TimeSpan Ms(int value) => TimeSpan.FromMilliseconds(value);

    /// <summary>A StringWriter the test can read, a line each, while the run writes to it from another thread.</summary>
    private sealed class LockedStringWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string[] Lines() => ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                base.Write(buffer, index, count);
            }
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            lock (_gate)
            {
                base.Write(buffer);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return base.ToString();
            }
        }
    }
}
