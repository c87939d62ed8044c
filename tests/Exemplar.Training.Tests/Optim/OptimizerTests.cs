using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;
using Exemplar.Training.Optim;

namespace Exemplar.Training.Tests.Optim;

/// <summary>What the optimizers do besides the update rule: groups, skipped parameters, gradients cleared, state checks.</summary>
public sealed class OptimizerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exemplar-training-optim-").FullName;

    [Fact]
    public void SplitWeightDecayExemptsNormsBiasesAndFrozenParameters()
    {
        using var model = new Sequential(new Linear(4, 3), new LayerNorm(3), new Linear(3, 2, bias: false));
        model.NamedParameters().Single(p => p.Name == "2.weight").Parameter.RequiresGrad = false;

        var groups = ParameterGroups.SplitWeightDecay(model.NamedParameters(), 0.05);

        Assert.Equal(2, groups.Count);
        var byName = model.NamedParameters().ToDictionary(p => (object)p.Parameter, p => p.Name, ReferenceEqualityComparer.Instance);
        Assert.Equal(["0.weight"], groups[0].Parameters.Select(p => byName[p]));
        Assert.Equal(0.05, groups[0].WeightDecay);
        Assert.Equal(["0.bias", "1.weight", "1.bias"], groups[1].Parameters.Select(p => byName[p]));
        Assert.Equal(0, groups[1].WeightDecay);
    }

    [Fact]
    public void GroupsTakeTheDefaultsTheyDoNotSet()
    {
        using var a = Tensor.Zeros([2]).RequiresGrad_();
        using var b = Tensor.Zeros([2]).RequiresGrad_();
        using var sgd = new Sgd([new ParameterGroup([a]), new ParameterGroup([b], 0.5, 0.1)], new SgdOptions { LearningRate = 0.01, Momentum = 0.9, WeightDecay = 1e-4 });
        Assert.Equal((0.01, 1e-4, 0.9), (sgd.Groups[0].LearningRate, sgd.Groups[0].WeightDecay, sgd.Groups[0].Momentum));
        Assert.Equal((0.5, 0.1, 0.9), (sgd.Groups[1].LearningRate, sgd.Groups[1].WeightDecay, sgd.Groups[1].Momentum));
    }

    [Fact]
    public void ParametersWithoutGradientKeepTheirValuesAndGetNoState()
    {
        using var used = Tensor.Ones([3]).RequiresGrad_();
        using var unused = Tensor.Ones([3]).RequiresGrad_();
        using var adam = new Adam([used, unused], new AdamOptions { LearningRate = 0.1 });
        using (var loss = (used * used).Sum()) loss.Backward();
        adam.Step();

        Assert.All(used.ToArray<float>(), v => Assert.Equal(0.9f, v, 1e-6f)); // Adam's first step moves by lr
        Assert.Equal([1f, 1f, 1f], unused.ToArray<float>());
        Assert.Equal(1, adam.State(0).Step);
        Assert.Equal(0, adam.State(1).Step);
        Assert.Empty(adam.State(1).Buffers);
        Assert.False(used.RequiresGrad && !used.IsLeaf); // the update was not recorded by autograd
    }

    [Fact]
    public void StepsLeakNoTensors()
    {
        using var w = Tensor.Ones([2, 2]).RequiresGrad_();
        using var adam = new Adam([w], new AdamOptions { AmsGrad = true, WeightDecay = 0.1 });
        using var sgd = new Sgd([w], new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 0.1 });
        void TrainStep(Optimizer o)
        {
            o.ZeroGrad();
            using (DisposeScope.Begin()) (w * w).Sum().Backward();
            o.Step();
        }
        TrainStep(adam);
        TrainStep(sgd); // the first steps create the state buffers
        long live = Tensor.LiveCount;
        for (int i = 0; i < 5; i++)
        {
            TrainStep(adam);
            TrainStep(sgd);
        }
        Assert.Equal(live, Tensor.LiveCount);
    }

    [Fact]
    public void ZeroGradClearsGradients()
    {
        using var p = Tensor.Ones([2]).RequiresGrad_();
        using var sgd = new Sgd([p], new SgdOptions { LearningRate = 0.1 });
        using (var loss = p.Sum()) loss.Backward();
        using (var g = p.Grad) Assert.NotNull(g);
        sgd.ZeroGrad();
        Assert.Null(p.Grad);
    }

    [Fact]
    public void RejectsInconsistentSettings()
    {
        using var p = Tensor.Zeros([2]).RequiresGrad_();
        Assert.Throws<ArgumentException>(() => new Sgd([p], new SgdOptions { LearningRate = 0.1, Nesterov = true }));
        Assert.Throws<ArgumentException>(() => new Sgd([p], new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Dampening = 0.1, Nesterov = true }));
        Assert.Throws<ArgumentException>(() => new Sgd([new ParameterGroup([p]), new ParameterGroup([p])], new SgdOptions { LearningRate = 0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], new AdamOptions { Beta2 = 1 }));
        Assert.Throws<ArgumentException>(() => new AdamW(Array.Empty<ParameterGroup>(), new AdamWOptions()));
    }

    [Fact]
    public void AdamWDefaultsAreTorchs()
    {
        var options = new AdamWOptions();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 1e-2, false), (options.LearningRate, options.Beta1, options.Beta2, options.Eps, options.WeightDecay, options.AmsGrad));
        Assert.Equal(0, new AdamOptions().WeightDecay);
    }

    [Fact]
    public void LoadRefusesStateThatDoesNotFit()
    {
        using var p = Tensor.Ones([3]).RequiresGrad_();
        using var adam = new Adam([p], new AdamOptions { LearningRate = 0.1 });
        using (var loss = (p * p).Sum()) loss.Backward();
        adam.Step();
        string path = Path.Combine(_folder, "adam.safetensors");
        adam.Save(path);

        using var other = Tensor.Ones([4]).RequiresGrad_();
        using var wrongShape = new Adam([other], new AdamOptions { LearningRate = 0.1 });
        Assert.Contains("parameter 0 is Float32 [4]", Assert.Throws<CheckpointFormatException>(() => wrongShape.Load(path)).Message);
        using var wrongKind = new AdamW([p], new AdamWOptions());
        Assert.Contains("not of AdamW", Assert.Throws<CheckpointFormatException>(() => wrongKind.Load(path)).Message);
        using var wrongOptions = new Adam([p], new AdamOptions { LearningRate = 0.1, AmsGrad = true });
        Assert.Contains("saved with options", Assert.Throws<CheckpointFormatException>(() => wrongOptions.Load(path)).Message);
        Assert.Equal(0, wrongShape.State(0).Step); // a refused file changes nothing

        string weightsOnly = Path.Combine(_folder, "weights.safetensors");
        SafeTensors.Save(weightsOnly, new Dictionary<string, Tensor> { ["w"] = p });
        Assert.Contains("no optimizer state", Assert.Throws<CheckpointFormatException>(() => adam.Load(weightsOnly)).Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
