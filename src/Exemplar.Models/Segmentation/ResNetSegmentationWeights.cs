using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Segmentation;

/// <summary>Reads torchvision's weights into <see cref="ResNetSegmentation"/>: whole segmentation checkpoints, or an ImageNet backbone.</summary>
public static class ResNetSegmentationWeights
{
    private const string AuxPrefix = "aux_classifier.";
    private const string AsppKey = "classifier.0.convs.0.0.weight";

    /// <summary>
    /// Builds the network a torchvision segmentation state dict describes (e.g. <c>deeplabv3_resnet50_coco-cd0a2569.pth</c>,
    /// <c>fcn_resnet50_coco-1167a1af.pth</c>) and loads it strictly: the head from its keys (an ASPP means DeepLabV3),
    /// the auxiliary classifier when <c>aux_classifier.*</c> is present, the class count from the last classifier
    /// convolution. Returned in evaluation mode.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is not such a state dict, or a key or shape differs (the message lists them).</exception>
    public static ResNetSegmentation Load(string path)
    {
        var state = Checkpoints.LoadStateDict(path);
        try
        {
            var head = state.ContainsKey(AsppKey) ? ResNetSegmentationHead.DeepLabV3 : ResNetSegmentationHead.Fcn;
            // Both heads end in item 4, the 1x1 classifier.
            const string classifierKey = "classifier.4.weight";
            if (!state.TryGetValue(classifierKey, out var classifier) || classifier.Shape.Length != 4)
            {
                throw new CheckpointFormatException(path, $"no {classifierKey} [classes, C, 1, 1]: not a torchvision fcn/deeplabv3 state dict");
            }
            bool auxiliary = state.Keys.Any(k => k.StartsWith(AuxPrefix, StringComparison.Ordinal));
            var network = new ResNetSegmentation(head, (int)classifier.Size(0), auxiliary);
            try
            {
                LoadStrict(network, state, path);
            }
            catch
            {
                network.Dispose();
                throw;
            }
            network.Eval();
            return network;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Loads a torchvision ImageNet ResNet state dict (e.g. <c>resnet50-0676ba61.pth</c>, what torchvision's
    /// <c>weights_backbone</c> means) into the backbone, strictly but for the unused <c>fc.*</c>; the heads keep their
    /// initialisation.
    /// </summary>
    /// <exception cref="CheckpointFormatException">A key or shape differs (the message lists them).</exception>
    public static void LoadBackbone(ResNetSegmentation network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        var state = Checkpoints.LoadStateDict(path);
        try
        {
            var backbone = state.Where(p => !p.Key.StartsWith("fc.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
            LoadStrict(network.Backbone, backbone, path);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static void LoadStrict(Module module, IReadOnlyDictionary<string, Tensor> state, string path)
    {
        try
        {
            module.LoadStateDict(state);
        }
        catch (StateDictException e)
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
    }
}
