using Exemplar.Torch;

namespace Exemplar.InContext.Tests;

public class PromptSetTests
{
    [Fact]
    public void RejectsWrongShapesNamingTheExample()
    {
        using var prompts = new PromptSet(["cup"]);
        var ex = Assert.Throws<ArgumentException>(() => prompts.Add(Tensor.Zeros([3, 10, 12], DType.UInt8), Tensor.Zeros([1, 10, 13], DType.UInt8), "cup.jpg + cup.png"));
        Assert.Contains("cup.jpg + cup.png", ex.Message);
        Assert.Contains("13x10", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => prompts.Add(Tensor.Zeros([3, 10, 12]), Tensor.Zeros([1, 10, 12], DType.UInt8), "f.jpg"));
        Assert.Contains("uint8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => prompts.Add(Tensor.Zeros([3, 10, 12], DType.UInt8), Tensor.Zeros([2, 10, 12], DType.UInt8), "two.png"));
        Assert.Contains("expected 1 mask", ex.Message);
    }

    [Fact]
    public void AnEmptyClassIsAnError()
    {
        using var prompts = new PromptSet(["cup", "plate"]);
        var masks = Tensor.Zeros([2, 8, 8], DType.UInt8);
        masks[0, 2..4, 2..4] = Tensor.Ones([1], DType.UInt8);
        prompts.Add(Tensor.Zeros([3, 8, 8], DType.UInt8), masks, "a.jpg");
        var ex = Assert.Throws<InvalidOperationException>(prompts.Validate);
        Assert.Contains("'plate'", ex.Message);
        Assert.Contains("a.jpg", ex.Message);
        Assert.Throws<InvalidOperationException>(new PromptSet(["x"]).Validate);
        Assert.Throws<ArgumentException>(() => new PromptSet(["x", "x"]));
    }
}
