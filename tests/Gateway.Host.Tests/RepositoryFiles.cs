namespace Gateway.Host.Tests;

/// <summary>Files of the repository the tests run from, found by walking up to <c>Engine.sln</c>.</summary>
public static class RepositoryFiles
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
                return directory.FullName;
        }
        throw new FileNotFoundException("No Engine.sln above the test binaries.");
    }

    public static string PathOf(string relativePath) => Path.Combine(Root(), relativePath);

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));
}
