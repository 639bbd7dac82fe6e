using Gateway.Testing;

namespace Gateway.Host.Tests.Api;

/// <summary>One running host for a spec class; specs create their own partners and subscribers.</summary>
public sealed class AdminApiFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private int _nextNumber;

    public GatewayApp App { get; private set; } = null!;

    /// <summary>A fresh E.164 number for this fixture.</summary>
    public string NewNumber() => $"+1555{Interlocked.Increment(ref _nextNumber):D7}";

    /// <summary>A fresh resource id.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public async Task InitializeAsync()
    {
        App = new GatewayApp(_data.Path, new TestStorage.Sqlite());
        await App.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        _data.Dispose();
    }
}
