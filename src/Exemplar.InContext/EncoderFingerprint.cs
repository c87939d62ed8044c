using System.Security.Cryptography;
using Exemplar.Models;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.InContext;

/// <summary>
/// A short hash of an encoder's weights, stored with encoded prompts so that prompts encoded with one weight file are
/// not silently used with another of the same architecture (the features would not match).
/// </summary>
public static class EncoderFingerprint
{
    private const int SampledElements = 4096;

    /// <summary>
    /// 16 hex digits of SHA-256 over the shapes of all parameters and the first values of the first, middle and last
    /// ones: cheap (a few KB hashed) and different for any two real checkpoints.
    /// </summary>
    public static string Of(IImageEncoder encoder)
    {
        if (encoder is not Module module) return "unknown";
        var parameters = module.NamedParameters().ToList();
        if (parameters.Count == 0) return "no-parameters";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, p) in parameters) hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name}:{string.Join("x", p.Shape)};"));
        using var noGrad = LibTorch.NoGrad();
        foreach (int i in new[] { 0, parameters.Count / 2, parameters.Count - 1 })
        {
            using var scope = DisposeScope.Begin();
            var sample = parameters[i].Parameter.Detach().Flatten();
            sample = sample.Narrow(0, 0, Math.Min(sample.Size(0), SampledElements)).To(DType.Float32);
            hash.AppendData(sample.ToBytes());
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
