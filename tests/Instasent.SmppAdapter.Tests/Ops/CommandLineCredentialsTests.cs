using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// No credential on a command line in ops/ scripts or docker-compose.yml: any local user sees arguments in `ps` and
/// /proc, so secrets go through the environment or a file. A line-based reading of the shell, strict on purpose.
/// </summary>
public sealed partial class CommandLineCredentialsTests
{
    /// <summary>
    /// The known exceptions: none. (The simulator's --account user:pass values are accounts of the fake SMSC itself, so
    /// they are not looked for.)
    /// </summary>
    private static readonly (string File, string Pattern)[] Allowed = [];

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repo.PathOf("ops"), "*.sh", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Repo.Root, file).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_passes_no_credential_on_a_command_line(string script)
    {
        var problems = Problems(script, Repo.Read(script));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Compose_commands_and_health_checks_carry_no_credential()
    {
        var services = Repo.Yaml("docker-compose.yml").Map("services");
        var lines = services.Children.Values.SelectMany(service => new[] { "command", "entrypoint" }
                .Select(key => service.Find(key))
                .Append(service.Find("healthcheck", "test"))
                .Select(node => node switch
                {
                    YamlSequenceNode seq => string.Join(' ', seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                    YamlScalarNode scalar => scalar.Value ?? "",
                    _ => "",
                }))
            .Where(l => l.Length > 0)
            .ToList();

        Assert.NotEmpty(lines);
        var problems = lines.SelectMany(l => CommandProblems("docker-compose.yml", l, new HashSet<string>())).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("curl -u admin:s3cret http://127.0.0.1:15672/api/overview")]
    [InlineData("redis-cli -a s3cret ping")]
    [InlineData("dotnet smpp-adapter.dll --rabbitmq \"$RabbitMq__Uri\" events")]
    [InlineData("start_bg adapter log env RabbitMq__Uri=amqp://u:p@127.0.0.1/ dotnet adapter.dll")]
    [InlineData("tool --password \"$SMPP_PASSWORD\"")]
    [InlineData("BROKER=amqp://u:p@127.0.0.1:5672\ntool --broker \"$BROKER/vhost\"")]
    [InlineData("rabbitmqctl add_user smpp \\\n  \"$RABBITMQ_PASSWORD\"")]
    public void Check_flags_a_credential_however_it_reaches_the_command_line(string script)
    {
        Assert.NotEmpty(Problems("example.sh", script));
    }

    [Theory]
    [InlineData("export RabbitMq__Uri=${RabbitMq__Uri:-amqp://guest:guest@127.0.0.1:5672/}\ndotnet cli.dll events")]
    [InlineData("RABBITMQ_DEFAULT_PASS=$RABBITMQ_PASSWORD docker run -e RABBITMQ_DEFAULT_PASS rabbitmq:3.13")]
    [InlineData("local -x Smpp__Connections__0__Password=load123\nstart_bg adapter log dotnet adapter.dll")]
    [InlineData("[ -n \"${SMPP_PASSWORD:-}\" ] || die \"set SMPP_PASSWORD\"")]
    [InlineData("tool --password-file \"$SMPP_PASSWORD_FILE\"")]
    [InlineData("cat <<'USAGE'\n  RabbitMq__Uri  default amqp://guest:guest@127.0.0.1:5672/\nUSAGE")]
    public void Check_accepts_secrets_passed_through_the_environment_or_a_file(string script)
    {
        Assert.Empty(Problems("example.sh", script));
    }

    private static IReadOnlyList<string> Problems(string file, string text)
    {
        var secretVariables = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var line in LogicalLines(text))
        {
            var (assigned, command) = SplitAssignments(line);
            foreach (var (name, value) in assigned)
            {
                if (IsSecretName(name) || UserInfoUri().IsMatch(value) || References(value, secretVariables))
                {
                    secretVariables.Add(name);
                }
            }

            if (command.Length > 0 && !Allowed.Any(a => a.File == file && Regex.IsMatch(command, a.Pattern)))
            {
                problems.AddRange(CommandProblems(file, command, secretVariables));
            }
        }

        return problems;
    }

    private static IEnumerable<string> CommandProblems(string file, string command, IReadOnlySet<string> secretVariables)
    {
        var words = command.TrimStart('(', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(w => w is "if" or "elif" or "while" or "until" or "!" or "then" or "do" or "else").ToList();
        // Builtins never exec: their arguments reach no process's command line.
        if (words.Count == 0 || Builtins.Contains(words[0]))
        {
            yield break;
        }

        if (CredentialOption().Match(command) is { Success: true } option)
        {
            yield return $"{file}: credential option '{option.Value.Trim()}' in: {command}";
        }

        if (UserInfoUri().Match(command) is { Success: true } uri)
        {
            yield return $"{file}: URI with a password '{uri.Value}' in: {command}";
        }

        foreach (Match reference in Expansion().Matches(command))
        {
            var name = reference.Groups["name"].Value;
            if (IsSecretName(name) || secretVariables.Contains(name))
            {
                yield return $"{file}: ${name} (a secret) expanded on the command line of: {command}";
            }
        }
    }

    /// <summary>Lines with continuations joined, comments and here-document bodies (usage text, configs) dropped.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        string? heredocEnd = null;
        var pending = "";
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (heredocEnd is not null)
            {
                heredocEnd = raw.Trim() == heredocEnd ? null : heredocEnd;
                continue;
            }

            var line = pending + raw.Trim();
            if (line.EndsWith('\\'))
            {
                pending = line[..^1] + " ";
                continue;
            }

            pending = "";
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (Heredoc().Match(line) is { Success: true } heredoc)
            {
                heredocEnd = heredoc.Groups["end"].Value;
            }

            yield return line;
        }
    }

    /// <summary>Leading NAME=value words (an assignment, or the environment of the command after them) and the rest.</summary>
    private static (List<(string Name, string Value)> Assigned, string Command) SplitAssignments(string line)
    {
        var assigned = new List<(string, string)>();
        var rest = Declaration().Replace(line, "", 1);
        while (LeadingAssignment().Match(rest) is { Success: true } match)
        {
            assigned.Add((match.Groups["name"].Value, match.Groups["value"].Value));
            rest = rest[match.Length..];
            // A command substitution's commands are builtins here (printf | sed over a variable): not followed.
            if (match.Groups["value"].Value.StartsWith("$(", StringComparison.Ordinal))
            {
                return (assigned, "");
            }
        }

        return (assigned, Declaration().IsMatch(line) ? "" : rest.Trim());
    }

    private static bool References(string value, IReadOnlySet<string> secretVariables) =>
        Expansion().Matches(value).Any(m => IsSecretName(m.Groups["name"].Value) || secretVariables.Contains(m.Groups["name"].Value));

    private static bool IsSecretName(string name) => SecretName().IsMatch(name) && !name.EndsWith("FILE", StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> Builtins =
        ["[", "[[", "test", "printf", "echo", "log", "die", "local", "export", "declare", "read", "set", ":", "return", "exit", "case"];

    [GeneratedRegex(@"(?i)^(\w*(password|passwd|secret|token)\w*|\w*_PASS|RabbitMq__Uri|RABBITMQ_URI)$")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?<![\w-])--(password|passwd|pass|secret|token|requirepass)[=\s]|(?<=\bredis-cli\b.*)\s-a\s|(?<=\bcurl\b.*)\s(-u|--user)\s")]
    private static partial Regex CredentialOption();

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://[^\s/:@""']+:[^\s/@""']+@")]
    private static partial Regex UserInfoUri();

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_]\w*)")]
    private static partial Regex Expansion();

    [GeneratedRegex(@"<<-?\s*['""]?(?<end>\w+)['""]?")]
    private static partial Regex Heredoc();

    [GeneratedRegex(@"^(export|local|declare|readonly)(\s+-\w+)*\s+")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^(?<name>[A-Za-z_]\w*)=(?<value>""(?:[^""\\]|\\.)*""|'[^']*'|\$\((?:[^()]|\([^()]*\))*\)|\$\{[^}]*\}\S*|\S*)\s*")]
    private static partial Regex LeadingAssignment();
}
