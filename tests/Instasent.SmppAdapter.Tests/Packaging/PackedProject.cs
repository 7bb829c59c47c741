using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Instasent.SmppAdapter.Tests.Ops;

namespace Instasent.SmppAdapter.Tests.Packaging;

/// <summary>
/// <c>dotnet pack</c> of a project of this repository into a temporary directory, from the build the test run already
/// made (<c>--no-build</c>, same configuration), so packing takes seconds and writes nothing in the working tree.
/// </summary>
/// <param name="Directory">The temporary directory; it is also the package source for <c>dotnet tool install</c>.</param>
/// <param name="Package">The .nupkg file.</param>
public sealed record PackedProject(string Directory, string Package) : IDisposable
{
    private static string Configuration { get; } =
        typeof(PackedProject).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    public static async Task<PackedProject> PackAsync(string project)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("smpp-pack-").FullName;
        var (exit, stdout, stderr) = await Repo.RunAsync("dotnet",
            ["pack", Repo.PathOf(project), "-c", Configuration, "--no-build", "-o", directory,
                // The intermediate .nuspec goes to the temporary directory too, not into the project's obj/.
                $"-p:NuspecOutputPath={directory}/nuspec/"],
            TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, $"dotnet pack {project} exited {exit}:\n{stdout}\n{stderr}");
        return new PackedProject(directory, System.IO.Directory.GetFiles(directory, "*.nupkg").Single());
    }

    /// <summary>The paths of the package's entries, with <c>/</c> separators.</summary>
    public IReadOnlyList<string> Entries()
    {
        using var zip = ZipFile.OpenRead(Package);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>The package's .nuspec, with the namespace dropped so elements are found by their local names.</summary>
    public XElement Nuspec()
    {
        using var zip = ZipFile.OpenRead(Package);
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        foreach (var element in metadata.DescendantsAndSelf())
        {
            element.Name = element.Name.LocalName;
        }

        return metadata;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
