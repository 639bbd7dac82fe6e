using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

public class ConcatenationReferencesSpecs
{
    [Fact]
    public void References_should_rotate_per_destination_and_wrap_after_255()
    {
        var references = new ConcatenationReferences(new Random(7));
        var first = references.Next("+19465559040");
        var other = references.Next("+12145555273");

        Assert.Equal(unchecked((byte)(first + 1)), references.Next("+19465559040"));
        Assert.Equal(unchecked((byte)(other + 1)), references.Next("+12145555273"));

        var seen = new HashSet<byte> { first, unchecked((byte)(first + 1)) };
        for (var i = 0; i < 254; i++)
            Assert.True(seen.Add(references.Next("+19465559040")));
        Assert.Equal(first, references.Next("+19465559040")); // after all 256 values, the first again
    }

    [Fact]
    public void The_first_reference_of_a_destination_should_be_random()
    {
        var firsts = Enumerable.Range(0, 64).Select(seed => new ConcatenationReferences(new Random(seed)).Next("+19465559040"));
        Assert.True(firsts.Distinct().Count() > 16);
    }
}
