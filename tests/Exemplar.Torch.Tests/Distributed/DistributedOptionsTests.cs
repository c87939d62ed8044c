using Exemplar.Torch.Distributed;

namespace Exemplar.Torch.Tests.Distributed;

/// <summary>Reading torchrun's environment variables.</summary>
public class DistributedOptionsTests
{
    private static DistributedOptions? Parse(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return DistributedOptions.FromEnvironment(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void NoWorldSizeMeansNotDistributed()
    {
        Assert.Null(Parse());
        Assert.Null(Parse(("RANK", "0"), ("WORLD_SIZE", " ")));
    }

    [Fact]
    public void ReadsAllFourVariables()
    {
        var o = Parse(("RANK", "3"), ("WORLD_SIZE", "4"), ("MASTER_ADDR", "node-0"), ("MASTER_PORT", "12345"));
        Assert.Equal(new DistributedOptions(3, 4) { MasterAddress = "node-0", MasterPort = 12345 }, o);
        Assert.Equal(DistributedOptions.DefaultTimeout, o!.Timeout);
    }

    [Fact]
    public void AddressAndPortHaveDefaults()
    {
        var o = Parse(("RANK", "0"), ("WORLD_SIZE", "2"))!;
        Assert.Equal("127.0.0.1", o.MasterAddress);
        Assert.Equal(29500, o.MasterPort);
        Assert.Equal("127.0.0.1", o.DeviceAddress);
        Assert.Equal("", (o with { MasterAddress = "10.0.0.1" }).DeviceAddress);
        Assert.Equal("10.0.0.2", (o with { MasterAddress = "10.0.0.1", LocalAddress = "10.0.0.2" }).DeviceAddress);
    }

    [Theory]
    [InlineData("x", "2", "29500", "RANK")]
    [InlineData("-1", "2", "29500", "RANK")]
    [InlineData("2", "2", "29500", "RANK")]
    [InlineData("0", "two", "29500", "WORLD_SIZE")]
    [InlineData("0", "0", "29500", "WORLD_SIZE")]
    [InlineData("0", "2", "http", "MASTER_PORT")]
    [InlineData("0", "2", "70000", "MASTER_PORT")]
    [InlineData("", "2", "29500", "RANK")]
    public void MalformedVariablesAreNamed(string rank, string worldSize, string port, string culprit)
    {
        var e = Assert.Throws<FormatException>(() => Parse(("RANK", rank), ("WORLD_SIZE", worldSize), ("MASTER_PORT", port)));
        Assert.Contains(culprit, e.Message);
    }
}
