namespace Exemplar.Torch.Tests;

/// <summary>Matmul (all rank combinations), Bmm and Einsum.</summary>
public class LinearAlgebraTests
{
    [Fact]
    public void MatmulOfMatrices()
    {
        using var a = Check.Range(6, 2, 3);
        using var b = Check.Range(12, 3, 4);
        using var c = a.Matmul(b);
        Check.Close(c, [2, 4], [20f, 23f, 26f, 29f, 56f, 68f, 80f, 92f], atol: 0);
    }

    [Fact]
    public void MatmulWithVectors()
    {
        using var a = Check.Range(6, 2, 3);
        using var b = Check.Range(12, 3, 4);
        using var v = Tensor.From([1f, 2f, 3f]);
        using (var t = a.Matmul(v)) Check.Close(t, [2], [8f, 26f], atol: 0);
        using (var t = v.Matmul(b)) Check.Close(t, [4], [32f, 38f, 44f, 50f], atol: 0);
        using (var t = v.Matmul(v)) Check.Close(t, [], [14f], atol: 0);
    }

    [Fact]
    public void MatmulBroadcastsBatch()
    {
        using var batch = Check.Range(12, 2, 2, 3);
        using var b = Tensor.From([0f, 1f, 4f, 5f, 8f, 9f], 3, 2);
        using var c = batch.Matmul(b);
        Check.Close(c, [2, 2, 2], [20f, 23f, 56f, 68f, 92f, 113f, 128f, 158f], atol: 0);
    }

    [Fact]
    public void BmmMultipliesEachBatch()
    {
        using var a = Check.Range(12, 2, 2, 3);
        using var b = Check.Range(12, 2, 3, 2);
        using var c = a.Bmm(b);
        Check.Close(c, [2, 2, 2], [10f, 13f, 28f, 40f, 172f, 193f, 244f, 274f], atol: 0);
    }

    [Fact]
    public void MatrixTransposeProperty()
    {
        using var a = Check.Range(6, 2, 3);
        using var t = a.MT;
        Check.Close(t, [3, 2], [0f, 3f, 1f, 4f, 2f, 5f], atol: 0);
    }

    [Fact]
    public void EinsumMatrixProductTraceOuterAndTranspose()
    {
        using var a = Check.Range(6, 2, 3);
        using var b = Check.Range(12, 3, 4);
        using (var t = Tensor.Einsum("ij,jk->ik", a, b)) Check.Close(t, [2, 4], [20f, 23f, 26f, 29f, 56f, 68f, 80f, 92f], atol: 0);

        using var sq = Check.Range(9, 3, 3);
        using (var t = Tensor.Einsum("ii->", sq)) Check.Close(t, [], [12f], atol: 0);

        using var u = Tensor.From([1f, 2f]);
        using var w = Tensor.From([3f, 4f, 5f]);
        using (var t = Tensor.Einsum("i,j->ij", u, w)) Check.Close(t, [2, 3], [3f, 4f, 5f, 6f, 8f, 10f], atol: 0);

        using var batch = Check.Range(12, 2, 2, 3);
        using (var t = Tensor.Einsum("bij->bji", batch)) Check.Close(t, [2, 3, 2], [0f, 3f, 1f, 4f, 2f, 5f, 6f, 9f, 7f, 10f, 8f, 11f], atol: 0);
    }
}
