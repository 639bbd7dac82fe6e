using Akka.Actor;
using Akka.Persistence;

namespace Gateway.Engine.Health;

/// <summary>Whether the journal answers: one real round trip through the journal plugin to the database.</summary>
public static class JournalHealth
{
    private const string ProbePersistenceId = "readiness-probe";

    /// <summary>
    /// Asks the journal for the highest sequence number of a probe id (a read, no write). True when
    /// it answers within <paramref name="timeout"/>; false when it fails, its circuit breaker is open,
    /// or it is silent.
    /// </summary>
    public static async Task<bool> AnswersAsync(ActorSystem system, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var journal = Persistence.Instance.Apply(system).JournalFor(null);
        try
        {
            var reply = await journal.Ask<object>(
                replyTo => new ReplayMessages(1, 0, 0, ProbePersistenceId, replyTo), timeout, cancellationToken);
            return reply is RecoverySuccess;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            return false;
        }
    }
}
