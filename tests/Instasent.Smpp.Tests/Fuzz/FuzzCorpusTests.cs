using Instasent.Smpp.Fuzz;

namespace Instasent.Smpp.Tests.Fuzz;

/// <summary>
/// The inputs ops/fuzz.sh kept from its coverage-guided runs (tests/Instasent.Smpp.Fuzz/corpus, afl-cmin'd: each reaches
/// code the others do not) replayed through the same targets on every test run, so the corpus keeps guarding the
/// decoders' contracts between fuzzing runs. The targets are those of the fuzz harness (docs/fuzzing.md).
/// </summary>
public class FuzzCorpusTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.All.Keys);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_saved_input_keeps_the_contract_of_its_target(string target)
    {
        var inputs = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target));

        Assert.NotEmpty(inputs);
        Assert.All(inputs, file => FuzzTargets.All[target](File.ReadAllBytes(file)));
    }
}
