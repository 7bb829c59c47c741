namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>
/// Where the independent peers live and what they need installed. A missing tool fails the test with the
/// package to install (ops/test.sh installs all of them): interop tests never skip.
/// </summary>
public static class InteropEnvironment
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The folder holding Instasent.SmppAdapter.sln.</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>tests/interop: the Node, Perl and C peers.</summary>
    public static string InteropDirectory => Path.Combine(RepoRoot, "tests", "interop");

    /// <summary>The absolute path of <paramref name="executable"/> on PATH, or a failure naming the Debian package.</summary>
    public static string RequireExecutable(string executable, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0)
            {
                continue;
            }

            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            $"'{executable}' is not installed: install the Debian package '{debianPackage}' (ops/test.sh installs it).");
    }

    /// <summary>Fails unless <paramref name="path"/> exists, naming the package that provides it.</summary>
    public static void RequireFile(string path, string debianPackage)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"'{path}' is missing: install the Debian package '{debianPackage}' (ops/test.sh installs it).");
        }
    }

    /// <summary>node, and the npm packages of tests/interop (npm ci, which ops/test.sh runs).</summary>
    public static string RequireNodePeers()
    {
        var node = RequireExecutable("node", "nodejs");
        foreach (var package in new[] { "smpp", "amqplib" })
        {
            if (!Directory.Exists(Path.Combine(InteropDirectory, "node_modules", package)))
            {
                throw new InvalidOperationException(
                    $"npm package '{package}' is not installed in {InteropDirectory}: run 'npm ci' there (ops/test.sh does).");
            }
        }
        return node;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Instasent.SmppAdapter.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException(
            $"Instasent.SmppAdapter.sln not found above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
