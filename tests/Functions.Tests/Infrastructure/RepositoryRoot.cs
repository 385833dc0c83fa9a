namespace ManagedDistribution.Tests.Infrastructure;

/// <summary>The checkout's root folder, found by walking up from the test binaries to the solution file.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ManagedDistribution.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("Could not find ManagedDistribution.slnx above " + AppContext.BaseDirectory);
    }

    public static string Shared(params string[] parts) =>
        System.IO.Path.Combine([System.IO.Path.GetDirectoryName(Path)!, "shared", .. parts]);
}
