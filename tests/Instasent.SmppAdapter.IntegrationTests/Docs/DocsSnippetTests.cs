using System.Text.RegularExpressions;
using Instasent.Smpp.TestSupport.Peers;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.IntegrationTests.Docs;

/// <summary>
/// Every code snippet of the documentation runs: the Python (pika) and Node (amqplib) ones as they are written,
/// against a real broker and adapter (only the broker address is replaced by the test's virtual host); the C# ones
/// are regions of <see cref="SmsClient"/> (compiled here) and must match it word for word.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class DocsSnippetTests(RabbitMqBroker broker)
{
    private const string DocumentedBroker = "amqp://guest:guest@127.0.0.1:5672/";
    private static readonly TimeSpan SnippetTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void Every_csharp_snippet_in_the_docs_is_a_region_of_the_compiled_client_sample()
    {
        var snippets = DocSnippet.All().Where(s => s.Language == "csharp").ToList();

        Assert.NotEmpty(snippets);
        foreach (var snippet in snippets)
        {
            Assert.True(snippet.Source is not null,
                $"{snippet.Where}: a csharp snippet needs a '<!-- snippet: path#region -->' line above it naming the compiled code it shows");
            Assert.Equal(snippet.Source!.Region(), snippet.Code);
        }
    }

    [Fact]
    public async Task Every_python_snippet_in_the_docs_sends_an_sms_and_reads_its_receipt()
    {
        var snippets = DocSnippet.All().Where(s => s.Language == "python").ToList();
        Assert.NotEmpty(snippets);
        // Debian's interpreter, where the python3-pika package installs pika (ops/test.sh installs it).
        var python = InteropEnvironment.RequireExecutable("/usr/bin/python3", "python3-pika");
        var (pika, _, pikaError) = await ExternalCommand.RunAsync(python, ["-c", "import pika"], SnippetTimeout);
        Assert.True(pika == 0, $"pika is not installed for {python}: install the Debian package python3-pika ({pikaError.Trim()})");
        await using var run = await AdapterOnBroker.StartAsync(broker);

        foreach (var snippet in snippets)
        {
            var file = WriteRunnable(snippet, run.VirtualHost.Uri, ".py");
            var (exitCode, stdout, stderr) = await ExternalCommand.RunAsync(python, [file], SnippetTimeout);
            AssertReceiptRead(snippet, exitCode, stdout, stderr);
        }
    }

    [Fact]
    public async Task Every_node_snippet_in_the_docs_sends_an_sms_and_reads_its_receipt()
    {
        var snippets = DocSnippet.All().Where(s => s.Language == "js").ToList();
        Assert.NotEmpty(snippets);
        var node = InteropEnvironment.RequireNodePeers();
        await using var run = await AdapterOnBroker.StartAsync(broker);

        foreach (var snippet in snippets)
        {
            // Written beside tests/interop/node_modules, where require('amqplib') finds the pinned client.
            var file = Path.Combine(InteropEnvironment.InteropDirectory, $"docs-snippet-{Guid.NewGuid():N}.js");
            File.WriteAllText(file, Runnable(snippet, run.VirtualHost.Uri));
            try
            {
                var (exitCode, stdout, stderr) = await ExternalCommand.RunAsync(node, [file], SnippetTimeout);
                AssertReceiptRead(snippet, exitCode, stdout, stderr);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task The_csharp_client_of_the_docs_publishes_an_otp_and_logs_its_submission_and_receipt()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        var logs = new CapturedLogs(typeof(SmsOutcomes).FullName!);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSmsClient(run.VirtualHost.Uri);
        using var client = builder.Build();
        await client.StartAsync();
        try
        {
            var orderId = Guid.NewGuid().ToString("N");
            await SmsClient.SendOtpAsync(client.Services.GetRequiredService<IPublishEndpoint>(), orderId, "+34600000001", "123456",
                CancellationToken.None);

            // Events are not ordered: the receipt may be logged before the submission.
            await run.UntilAsync(() => logs.Lines.Any(l => l == $"otp-{orderId} segment 1 of 1: DELIVRD")
                    && logs.Lines.Any(l => l.StartsWith($"otp-{orderId} submitted as ", StringComparison.Ordinal)),
                "the sample's consumer logging the submission and the receipt");
            Assert.DoesNotContain(logs.Lines, l => l.Contains("rejected", StringComparison.Ordinal));
            var submitted = Assert.Single(run.AcceptedSubmits);
            Assert.Equal("34600000001", submitted.DestinationAddr);
        }
        finally
        {
            await client.StopAsync();
        }
    }

    private static void AssertReceiptRead(DocSnippet snippet, int exitCode, string stdout, string stderr)
    {
        Assert.True(exitCode == 0, $"{snippet.Where} exited {exitCode}:\n{stdout}\n{stderr}");
        Assert.Contains("smpp.sms-submitted", stdout, StringComparison.Ordinal);
        Assert.Contains("smpp.sms-delivery-reported", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("smpp.sms-rejected", stdout, StringComparison.Ordinal);
    }

    private static string Runnable(DocSnippet snippet, Uri virtualHost)
    {
        Assert.True(snippet.Code.Contains(DocumentedBroker, StringComparison.Ordinal),
            $"{snippet.Where}: the snippet should connect to {DocumentedBroker}, the address the test replaces with its own");
        return snippet.Code.Replace(DocumentedBroker, virtualHost.ToString(), StringComparison.Ordinal);
    }

    private static string WriteRunnable(DocSnippet snippet, Uri virtualHost, string extension)
    {
        var file = Path.Combine(Path.GetTempPath(), $"docs-snippet-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(file, Runnable(snippet, virtualHost));
        return file;
    }
}

/// <summary>A fenced code block of the documentation (README.md, docs/, the contract package's README).</summary>
public sealed partial record DocSnippet(string File, int Line, string Language, string Code, SnippetSource? Source)
{
    public string Where => $"{Path.GetRelativePath(InteropEnvironment.RepoRoot, File)}:{Line}";

    public static IEnumerable<DocSnippet> All()
    {
        var root = InteropEnvironment.RepoRoot;
        var files = new[] { Path.Combine(root, "README.md"), Path.Combine(root, "src", "Instasent.SmppAdapter.Contracts", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories));
        return files.SelectMany(Parse);
    }

    private static IEnumerable<DocSnippet> Parse(string file)
    {
        var lines = System.IO.File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                body.Add(lines[i]);
            }

            var marker = start > 0 ? SourceMarker().Match(lines[start - 1]) : Match.Empty;
            SnippetSource? source = marker.Success
                ? new SnippetSource(Path.Combine(InteropEnvironment.RepoRoot, marker.Groups["path"].Value), marker.Groups["region"].Value)
                : null;
            yield return new DocSnippet(file, start + 1, open.Groups["lang"].Value, string.Join('\n', body), source);
        }
    }

    [GeneratedRegex(@"^```(?<lang>[a-z]+)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^<!-- snippet: (?<path>[^#\s]+)#(?<region>[a-z0-9-]+) -->$")]
    private static partial Regex SourceMarker();
}

/// <summary>A region of a compiled file, between <c>// &lt;docs:name&gt;</c> and <c>// &lt;/docs:name&gt;</c>.</summary>
public sealed record SnippetSource(string File, string Name)
{
    /// <summary>The region's lines, with the indentation they share removed.</summary>
    public string Region()
    {
        var lines = System.IO.File.ReadAllLines(File);
        var begin = Array.FindIndex(lines, l => l.Trim() == $"// <docs:{Name}>");
        var end = Array.FindIndex(lines, l => l.Trim() == $"// </docs:{Name}>");
        if (begin < 0 || end < begin)
        {
            throw new InvalidOperationException($"{File} has no region docs:{Name}");
        }

        var region = lines[(begin + 1)..end];
        var indent = region.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', region.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
