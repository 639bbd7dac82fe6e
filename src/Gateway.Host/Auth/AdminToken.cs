using System.Security.Cryptography;
using System.Text;
using Gateway.Engine.Configuration;

namespace Gateway.Host.Auth;

/// <summary>
/// The bearer token of the admin and simulator APIs: <c>GATEWAY_ADMIN_TOKEN</c> when set; otherwise
/// the token stored in <c>&lt;data-dir&gt;/admin-token</c>, generated (256 random bits) and printed
/// to the console once, on the node's first start. The file is readable by its owner only.
/// </summary>
public sealed class AdminToken
{
    public const string FileName = "admin-token";

    private readonly byte[] _digest;

    public AdminToken(GatewaySettings settings, ILogger<AdminToken> logger)
    {
        var token = settings.Admin.Token ?? LoadOrCreate(Path.Combine(settings.DataDirectory, FileName), logger);
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Constant-time comparison (of digests, so the lengths do not leak either).</summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _digest);

    private static string LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path))
            return ReadStored(path);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(path, Encoding.ASCII, options))
                writer.Write(token);
        }
        catch (IOException) when (File.Exists(path))
        {
            return ReadStored(path); // another process created it first
        }
        Console.WriteLine($"Admin token (generated now, stored in {path}; shown only this once): {token}");
        logger.LogInformation("Generated a new admin token and stored it in {Path}", path);
        return token;
    }

    private static string ReadStored(string path)
    {
        var token = File.ReadAllText(path).Trim();
        if (token.Length == 0)
            throw new GatewayConfigurationException($"The admin token file '{path}' is empty; delete it to generate a new token, or set GATEWAY_ADMIN_TOKEN.");
        return token;
    }
}
