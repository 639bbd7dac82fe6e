using System.Reflection;
using Gateway.Domain.Errors;
using Gateway.Engine.Configuration;

namespace Gateway.Host.Tests;

/// <summary>The documentation names every setting and every error code the code has.</summary>
public sealed class DocumentationSpecs
{
    private static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
                return File.ReadAllText(Path.Combine(directory.FullName, relativePath));
        }
        throw new FileNotFoundException("No Engine.sln above the test binaries.");
    }

    [Fact]
    public void Readme_should_document_every_environment_variable_with_its_hocon_path()
    {
        var readme = RepositoryFile("README.md");

        foreach (var entry in EnvironmentOverrides.Table)
            Assert.Contains($"| `{entry.Variable}` | `{entry.Path}` |", readme);
    }

    [Fact]
    public void Errors_doc_should_list_every_error_code()
    {
        var errors = RepositoryFile("docs/errors.md");
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetValue(null)!);

        foreach (var code in codes)
            Assert.Contains($"| `{code}` |", errors);
    }
}
