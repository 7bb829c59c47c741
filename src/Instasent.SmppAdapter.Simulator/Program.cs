using System.Runtime.InteropServices;
using Instasent.SmppAdapter.Simulator;

return await SimulatorCommandLine.RunAsync(args, Console.Out, Console.Error, RunAsync).ConfigureAwait(false);

static async Task<int> RunAsync(SimulatorCommandLine commandLine)
{
    using var loggerFactory = LoggerFactory.Create(logging => logging
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        })
        .AddFilter("Microsoft", LogLevel.Warning)
        .SetMinimumLevel(LogLevel.Information));

    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

    var simulator = new SmscSimulator(commandLine.Options with { LoggerFactory = loggerFactory });

    await using var simulatorDisposal = simulator.ConfigureAwait(false);
    simulator.Faults.Apply(commandLine.Faults, simulator.Options.TimeProvider);
    try
    {
        await simulator.StartAsync().ConfigureAwait(false);
    }
    catch (System.Net.Sockets.SocketException e)
    {
        Console.Error.WriteLine($"{SimulatorCommandLine.Name}: cannot listen on {commandLine.Options.Host}:{commandLine.Options.Port}: {e.Message}");
        return 1;
    }

    WebApplication? control = null;
    if (commandLine.ControlPort is { } controlPort)
    {
        control = ControlApi.Create(simulator, controlPort, commandLine.ControlHost);
        await control.StartAsync().ConfigureAwait(false);
        loggerFactory.CreateLogger("Simulator").LogInformation("control API on {Address}", ControlApi.Address(control));
    }

    var moLoop = commandLine.Mo is { } mo ? InjectPeriodicallyAsync(mo) : Task.CompletedTask;
    await stop.Task.ConfigureAwait(false);
    if (control is not null)
    {
        await control.StopAsync().ConfigureAwait(false);
    }

    await simulator.StopAsync().ConfigureAwait(false);
    await moLoop.ConfigureAwait(false);
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.TrySetResult();
    }

    async Task InjectPeriodicallyAsync(MoSchedule schedule)
    {
        using var timer = new PeriodicTimer(schedule.Every);
        var log = loggerFactory.CreateLogger("Simulator.Mo");
        while (await Task.WhenAny(timer.WaitForNextTickAsync().AsTask(), stop.Task).ConfigureAwait(false) != stop.Task)
        {
            var injected = await simulator.InjectMoAsync(schedule.SystemId, schedule.From, schedule.To, schedule.Text, segmentation: schedule.Segmentation).ConfigureAwait(false);
            log.LogInformation("injected MO for '{SystemId}' in {Segments} deliver_sm", schedule.SystemId, injected.Segments.Count);
        }
    }
}
