using System.Text.Json;

namespace Exemplar.Cli.Tests;

public sealed class ModelsCommandTests
{
    [Fact]
    public void JsonListsBothZoosWithTheirComplexityAtTheAskedInput()
    {
        var (code, output, error) = Cli.Run("models", "--json", "--input", "1040x520", "--classes", "21");
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var rows = document.RootElement.EnumerateArray().ToList();
        Assert.All(rows, r => Assert.Equal(["classes", "gmacs", "input", "name", "params"], r.EnumerateObject().Select(p => p.Name).Order()));
        Assert.All(rows, r => Assert.True(r.GetProperty("params").GetInt64() > 0 && r.GetProperty("gmacs").GetDouble() > 0));

        var byName = rows.ToDictionary(r => r.GetProperty("name").GetString()!);
        var resnet = byName["resnet50"];
        Assert.Equal(JsonValueKind.Null, resnet.GetProperty("classes").ValueKind);
        Assert.Equal("1056x512", resnet.GetProperty("input").GetString()); // rounded to multiples of 32

        var fcn = byName["fcn_resnet50"];
        Assert.Equal(21, fcn.GetProperty("classes").GetInt32());
        Assert.Equal("1040x520", fcn.GetProperty("input").GetString());
        Assert.InRange(fcn.GetProperty("gmacs").GetDouble(), 285.4 * 0.97, 285.4 * 1.03);
        Assert.Equal(32957013, fcn.GetProperty("params").GetInt64());
        Assert.InRange(byName["deeplabv3_resnet50"].GetProperty("gmacs").GetDouble(), 337.5 * 0.97, 337.5 * 1.03);
        Assert.Equal("1036x518", byName["linear_dinov2"].GetProperty("input").GetString()); // multiples of 14
        Assert.Contains("lraspp_mobilenetv2", byName.Keys);
    }

    [Fact]
    public void JsonDefaultsToEachModelsDefaultSize()
    {
        var (code, output, error) = Cli.Run("models", "--json", "--classes", "3");
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var byName = document.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal("224x224", byName["resnet50"].GetProperty("input").GetString());
        Assert.Equal("520x520", byName["deeplabv3_resnet50"].GetProperty("input").GetString());
        Assert.Equal(3, byName["deeplabv3_resnet50"].GetProperty("classes").GetInt32());
    }

    [Theory]
    [InlineData("--input", "1040")]
    [InlineData("--input", "0x520")]
    [InlineData("--classes", "0")]
    public void BadSizesAreRefusedWithAMessage(string option, string value)
    {
        var (code, _, error) = Cli.Run("models", "--json", option, value);
        Assert.Equal(1, code);
        Assert.Contains(option, error);
    }
}
