using Instasent.Smpp.Fuzz;
using SharpFuzz;

// ops/fuzz.sh drives this: --seeds writes the starting corpus, --target runs one target under afl-fuzz,
// --replay runs saved inputs through a target outside the fuzzer (to read a finding's exception).
switch (args)
{
    case ["--target", var name] when FuzzTargets.All.TryGetValue(name, out var target):
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        });
        return 0;
    case ["--seeds", var directory]:
        Seeds.Write(directory);
        return 0;
    case ["--replay", var name, .. var files] when FuzzTargets.All.TryGetValue(name, out var target):
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"{file}: {e}");
            }
        }
        Console.WriteLine($"{files.Length - failed} of {files.Length} inputs kept the contract of '{name}'");
        return failed == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine($"usage: --target NAME | --seeds DIR | --replay NAME FILE...  (targets: {string.Join(", ", FuzzTargets.All.Keys)})");
        return 2;
}
