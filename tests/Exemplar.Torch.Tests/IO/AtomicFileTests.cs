using Exemplar.Torch.IO;

namespace Exemplar.Torch.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void OverwritingALinkReplacesTheLinkAndLeavesItsTargetUntouched()
    {
        string target = PathOf("target.txt"), link = PathOf("out.txt");
        File.WriteAllText(target, "precious");
        File.CreateSymbolicLink(link, target);
        AtomicFile.WriteAllText(link, "new", overwrite: true);
        Assert.Equal("precious", File.ReadAllText(target));
        Assert.Null(new FileInfo(link).LinkTarget); // a plain file now
        Assert.Equal("new", File.ReadAllText(link));
    }

    [Fact]
    public void OverwritingADanglingLinkCreatesNoTarget()
    {
        string target = PathOf("missing.txt"), link = PathOf("out.txt");
        File.CreateSymbolicLink(link, target);
        AtomicFile.WriteAllBytes(link, [1, 2, 3], overwrite: true);
        Assert.False(File.Exists(target));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(link));
    }

    [Fact]
    public void WithoutOverwriteAnythingAtTheNameIsRefusedAndKept()
    {
        string file = PathOf("a.txt"), dangling = PathOf("b.txt");
        File.WriteAllText(file, "old");
        File.CreateSymbolicLink(dangling, PathOf("nowhere.txt"));
        foreach (string path in new[] { file, dangling })
        {
            var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(path, "new"));
            Assert.Contains(path, e.Message);
            Assert.Contains("already exists", e.Message);
        }
        Assert.Equal("old", File.ReadAllText(file));
        Assert.False(File.Exists(PathOf("nowhere.txt")));
        Assert.Equal(2, Directory.GetFileSystemEntries(_dir).Length); // a.txt and the link b.txt: no target, no temporary
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AWriteThatFailsMidwayLeavesNoPartialFileAndNoTemporary(bool existing)
    {
        string path = PathOf("out.png");
        if (existing) File.WriteAllText(path, "old content");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[10_000]);
            throw new InvalidOperationException("encoder failed");
        }, overwrite: true));
        Assert.Equal("encoder failed", e.Message);
        if (existing) Assert.Equal("old content", File.ReadAllText(path));
        else Assert.False(File.Exists(path));
        Assert.Equal(existing ? 1 : 0, Directory.GetFileSystemEntries(_dir).Length); // no temporary left behind
    }

    [Fact]
    public void AFolderThatCannotBeWrittenLeavesNothing()
    {
        string path = PathOf("no-such-folder/out.txt");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
