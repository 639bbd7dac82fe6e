namespace Gateway.DemoPartner;

public static class DemoPartnerProgram
{
    public static async Task<int> Main(string[] args)
    {
        DemoPartnerSettings settings;
        try
        {
            settings = DemoPartnerSettings.FromEnvironment(Environment.GetEnvironmentVariable);
        }
        catch (DemoPartnerConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"demo-partner: {e.Message}");
            return 2;
        }

        await using var app = DemoPartnerApp.Create(settings, Console.Out, args);
        await app.StartAsync();
        await Console.Out.WriteLineAsync(
            $"demo-partner: listening on {string.Join(", ", app.Urls)}; webhook POSTs on any path, GET /received, GET /healthz"
            + (settings.Token is null ? "" : "; bearer token required")
            + (settings.Fail ? $"; {DemoPartnerSettings.FailVariable}=true: answering 503" : ""));
        await app.WaitForShutdownAsync();
        return 0;
    }
}
