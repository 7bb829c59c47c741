using System.Text.RegularExpressions;
using Instasent.SmppAdapter.Tests.Ops;
using Instasent.SmppAdapter.Tests.Packaging;

namespace Instasent.SmppAdapter.Tests.Contracts;

/// <summary>
/// <c>dotnet pack src/Instasent.SmppAdapter.Contracts</c> makes the package upstream .NET teams reference: versioned,
/// documented, with its README, CHANGELOG and the JSON Schemas of the messages.
/// </summary>
public sealed partial class ContractPackageTests(ContractPackageTests.Packed packed) : IClassFixture<ContractPackageTests.Packed>
{
    private const string Project = "src/Instasent.SmppAdapter.Contracts";

    /// <summary>One pack for all the tests of the class.</summary>
    public sealed class Packed : IAsyncLifetime
    {
        public PackedProject Package { get; private set; } = null!;

        public async Task InitializeAsync() => Package = await PackedProject.PackAsync(Project);

        public Task DisposeAsync()
        {
            Package.Dispose();
            return Task.CompletedTask;
        }
    }

    private PackedProject Package => packed.Package;

    [Fact]
    public void Package_is_named_after_the_contract_assembly()
    {
        Assert.Equal("Instasent.SmppAdapter.Contracts", Package.Nuspec().Element("id")?.Value);
    }

    [Fact]
    public void Package_version_is_semver_and_the_newest_entry_of_the_changelog()
    {
        var version = Package.Nuspec().Element("version")?.Value;
        var newest = ChangelogVersion().Match(Repo.Read($"{Project}/CHANGELOG.md")).Groups["version"].Value;

        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Equal(newest, version);
    }

    [Fact]
    public void Package_shows_its_readme_and_ships_its_changelog()
    {
        Assert.Equal("README.md", Package.Nuspec().Element("readme")?.Value);
        Assert.Contains("README.md", Package.Entries());
        Assert.Contains("CHANGELOG.md", Package.Entries());
    }

    [Fact]
    public void Package_carries_the_xml_docs_beside_the_assembly()
    {
        Assert.Contains("lib/net10.0/Instasent.SmppAdapter.Contracts.dll", Package.Entries());
        Assert.Contains("lib/net10.0/Instasent.SmppAdapter.Contracts.xml", Package.Entries());
    }

    [Fact]
    public void Package_carries_the_schema_of_every_message()
    {
        var schemas = ContractSchemas.MessageTypes.Select(t => $"schemas/{t.Name}.schema.json");

        Assert.Superset(schemas.ToHashSet(), Package.Entries().ToHashSet());
    }

    [Fact]
    public void Package_states_its_description_licence_and_repository()
    {
        var nuspec = Package.Nuspec();

        Assert.False(string.IsNullOrWhiteSpace(nuspec.Element("description")?.Value));
        Assert.Equal("expression", nuspec.Element("license")?.Attribute("type")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(nuspec.Element("license")?.Value));
        Assert.Equal("git", nuspec.Element("repository")?.Attribute("type")?.Value);
        Assert.StartsWith("https://", nuspec.Element("repository")?.Attribute("url")?.Value);
    }

    [GeneratedRegex(@"^## (?<version>\d+\.\d+\.\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ChangelogVersion();
}
