using Gateway.Engine.Health;
using Gateway.Testing;

namespace Gateway.Engine.Tests.Health;

public sealed class JournalHealthSpecs
{
    [Fact]
    public async Task JournalHealth_should_answer_true_when_the_journal_reads_from_its_database()
    {
        using var data = new TempDirectory();
        await using var node = await TestNode.StartAsync(data.Path, new TestStorage.Sqlite());

        Assert.True(await JournalHealth.AnswersAsync(node.System, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task JournalHealth_should_answer_false_when_the_database_cannot_be_reached()
    {
        using var data = new TempDirectory();
        await using var node = await TestNode.StartAsync(data.Path,
            TestStorage.Unreachable);

        Assert.False(await JournalHealth.AnswersAsync(node.System, TimeSpan.FromSeconds(5)));
    }
}
