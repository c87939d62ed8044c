namespace Exemplar.Models.Quantization;

/// <summary>What the fake quantisers of a prepared network do in a forward pass.</summary>
public enum QuantizationMode
{
    /// <summary>Record activation ranges, compute in float (post-training calibration).</summary>
    Calibrate,
    /// <summary>Fake-quantise with ranges that are no longer updated (evaluation, export).</summary>
    Quantize,
    /// <summary>Fake-quantise and keep updating the ranges (quantisation-aware training).</summary>
    Train,
}
