using Instasent.SmppAdapter.Tests.Ops;

namespace Instasent.SmppAdapter.Tests.Packaging;

/// <summary>
/// The CLI ships as a .NET tool: <c>dotnet pack</c> then <c>dotnet tool install --add-source</c> gives a working
/// <c>smpp-adapter</c> command.
/// </summary>
public sealed class CliToolPackagingTests
{
    [Fact]
    public async Task Packed_cli_installs_as_a_dotnet_tool_named_smpp_adapter_that_runs()
    {
        using var package = await PackedProject.PackAsync("src/Instasent.SmppAdapter.Cli");
        var nuspec = package.Nuspec();
        var id = nuspec.Element("id")!.Value;
        var version = nuspec.Element("version")!.Value;
        var tools = Path.Combine(package.Directory, "tools");
        // Only the package just made as a source, and a private packages folder: no remote feed is asked, and a
        // package of the same version cached by an earlier run cannot stand in for this one.
        var config = Path.Combine(package.Directory, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(package.Directory, "packages")}" /></config>
              <packageSources><clear /><add key="packed" value="{package.Directory}" /></packageSources>
            </configuration>
            """);

        var install = await Repo.RunAsync("dotnet",
            ["tool", "install", id, "--version", version, "--tool-path", tools, "--configfile", config],
            TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, $"dotnet tool install exited {install.ExitCode}:\n{install.Stdout}\n{install.Stderr}");

        var help = await Repo.RunAsync(Path.Combine(tools, "smpp-adapter"), ["--help"], TimeSpan.FromMinutes(1));
        Assert.True(help.ExitCode == 0, $"smpp-adapter --help exited {help.ExitCode}:\n{help.Stdout}\n{help.Stderr}");
        Assert.Contains("send", help.Stdout);
        Assert.Contains("events", help.Stdout);
        Assert.Contains("sessions", help.Stdout);
    }
}
