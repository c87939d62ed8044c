using System.Reflection;
using System.Runtime.InteropServices;

namespace Exemplar.Torch.Tests;

public class GeneratorTests
{
    [Fact]
    public void TheNativeGeneratorIsOwnedByASafeHandleNotAFinalizer()
    {
        var fields = typeof(Generator).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        Assert.Contains(fields, f => typeof(SafeHandle).IsAssignableFrom(f.FieldType));
        Assert.DoesNotContain(fields, f => f.FieldType == typeof(nint));
        var finalizer = typeof(Generator).GetMethod("Finalize", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.Equal(typeof(object), finalizer!.DeclaringType); // no finalizer of its own: the handle releases itself
    }
}
