using Gateway.Domain.Media;

namespace Gateway.Domain.Tests.Media;

public class MediaBudgetSpecs
{
    [Fact]
    public void A_new_budget_should_have_its_whole_limit_left()
    {
        var budget = new MediaBudget(1_048_576);

        Assert.Equal(1_048_576, budget.LimitBytes);
        Assert.Equal(0, budget.UsedBytes);
        Assert.Equal(1_048_576, budget.RemainingBytes);
    }

    [Theory]
    [InlineData(new long[] { 1_048_576 }, true)]
    [InlineData(new long[] { 1_048_577 }, false)]
    [InlineData(new long[] { 524_288, 524_288 }, true)]
    [InlineData(new long[] { 524_288, 524_289 }, false)]
    [InlineData(new long[] { 1, 1_048_575, 0 }, true)]
    [InlineData(new long[] { 1_048_576, 1 }, false)]
    public void TryReserve_should_allow_reservations_up_to_the_limit_together(long[] sizes, bool lastFits)
    {
        var budget = new MediaBudget(1_048_576);
        foreach (var size in sizes[..^1])
            Assert.True(budget.TryReserve(size));

        Assert.Equal(lastFits, budget.TryReserve(sizes[^1]));
    }

    [Fact]
    public void TryReserve_should_take_nothing_when_the_bytes_do_not_fit()
    {
        var budget = new MediaBudget(100);
        Assert.True(budget.TryReserve(60));

        Assert.False(budget.TryReserve(41));
        Assert.Equal(60, budget.UsedBytes);
        Assert.Equal(40, budget.RemainingBytes);
        Assert.True(budget.TryReserve(40));
        Assert.Equal(0, budget.RemainingBytes);
    }

    [Fact]
    public void A_zero_limit_should_allow_no_bytes()
    {
        var budget = new MediaBudget(0);

        Assert.True(budget.TryReserve(0));
        Assert.False(budget.TryReserve(1));
    }

    [Fact]
    public void A_negative_limit_or_reservation_should_be_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaBudget(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaBudget(10).TryReserve(-1));
    }
}
