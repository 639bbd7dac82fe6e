using Gateway.Southbound.Configuration;

namespace Gateway.Southbound.Simulator;

/// <summary>How the embedded mobile-network simulator behaves (CONTRACT §5).</summary>
public sealed record SimulatorOptions
{
    /// <summary>
    /// How long a handset waits for the missing parts of a concatenated SMS before it shows what
    /// arrived, with <see cref="Gateway.Domain.Sms.SmsReassembler.GapMarker"/> for each gap
    /// (<c>gateway.network.reassembly-timeout</c>, 5 minutes by default).
    /// </summary>
    public TimeSpan ReassemblyTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many times the handset's SMSC offers one segment (or one MMS) to the gateway while the
    /// gateway answers <see cref="Gateway.Engine.Delivery.IngressStatus.Unavailable"/>, first try included,
    /// as an SMSC resends a <c>deliver_sm</c> that was not acknowledged. At least 1.
    /// </summary>
    public int IngressAttempts { get; init; } = 3;

    /// <summary>The pause between two of those attempts; zero (as tests use) retries at once.</summary>
    public TimeSpan IngressRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Messages a handset keeps (<c>gateway.network.simulator-inbox-limit</c>, 1,000 by default): a
    /// newer one pushes the oldest out, so a long-running simulator's memory stays bounded.
    /// </summary>
    public int InboxLimit { get; init; } = 1000;

    /// <summary>The defaults, with the reassembly timeout and inbox limit of <paramref name="settings"/>.</summary>
    public static SimulatorOptions From(NetworkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SimulatorOptions { ReassemblyTimeout = settings.ReassemblyTimeout, InboxLimit = settings.SimulatorInboxLimit };
    }

    internal void Validate()
    {
        if (ReassemblyTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReassemblyTimeout), ReassemblyTimeout, "The reassembly timeout must be positive.");
        if (InboxLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(InboxLimit), InboxLimit, "A handset keeps at least one message.");
        if (IngressAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(IngressAttempts), IngressAttempts, "A segment is offered at least once.");
        if (IngressRetryDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(IngressRetryDelay), IngressRetryDelay, "The retry delay cannot be negative.");
    }
}
