using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Exemplar.Torch.Serialization.Pickle;

/// <summary>Decides what the globals, calls and persistent ids of a pickle become.</summary>
internal interface IPickleResolver
{
    /// <summary>The value of <c>GLOBAL module name</c> (a class or function).</summary>
    object? ResolveGlobal(string module, string name);

    /// <summary>The result of calling <paramref name="callable"/> with <paramref name="args"/> (REDUCE, NEWOBJ).</summary>
    object? Call(object? callable, object?[] args);

    /// <summary>The object a persistent id refers to (PyTorch's tensor storages).</summary>
    object? PersistentLoad(object? pid);
}

/// <summary>
/// A pickle virtual machine for protocols 0–5 that builds plain data (numbers, strings, bytes, lists, tuples as
/// <c>object?[]</c>, dicts as <see cref="PickleDict"/>) and never runs code: globals and calls are handed to an
/// <see cref="IPickleResolver"/>. Malformed input raises <see cref="FormatException"/>.
/// </summary>
internal sealed class PickleReader
{
    private static readonly object Mark = new();
    private readonly byte[] _data;
    private readonly IPickleResolver _resolver;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    internal PickleReader(byte[] data, IPickleResolver resolver)
    {
        _data = data;
        _resolver = resolver;
    }

    /// <summary>Runs the pickle to its STOP and returns the result.</summary>
    internal object? Load()
    {
        while (true)
        {
            int at = _pos;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break;                               // PROTO
                case 0x95: ReadBytes(8); break;                             // FRAME (length only)
                case (byte)'.': return Pop();                               // STOP
                case (byte)'(': _marks.Add(_stack.Count); break;            // MARK
                case (byte)'0': Pop(); break;                               // POP
                case (byte)'1': PopMark(); break;                           // POP_MARK
                case (byte)'2': Push(Peek()); break;                        // DUP
                case (byte)'N': Push(null); break;                          // NONE
                case 0x88: Push(true); break;                               // NEWTRUE
                case 0x89: Push(false); break;                              // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;  // BININT
                case (byte)'K': Push((long)ReadByte()); break;                                            // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break;                                             // LONG1
                case 0x8b: Push(ReadLong(ReadLength4())); break;                                          // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;          // BINFLOAT
                case (byte)'I': Push(ParseTextInt(ReadLine())); break;                                    // INT
                case (byte)'L': Push(ParseTextInt(ReadLine().TrimEnd('L'))); break;                       // LONG
                case (byte)'F': Push(double.Parse(ReadLine(), CultureInfo.InvariantCulture)); break;      // FLOAT
                case (byte)'X': Push(Utf8(ReadLength4())); break;                                         // BINUNICODE
                case 0x8c: Push(Utf8(ReadByte())); break;                                                 // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadLength8())); break;                                              // BINUNICODE8
                case (byte)'V': Push(ReadLine()); break;                                                  // UNICODE (raw-unicode-escape, ASCII in practice)
                case (byte)'S': Push(ReadLine().Trim('\'', '"')); break;                                  // STRING
                case (byte)'T': Push(Latin1(ReadLength4())); break;                                       // BINSTRING
                case (byte)'U': Push(Latin1(ReadByte())); break;                                          // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength4()).ToArray()); break;                          // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;                             // SHORT_BINBYTES
                case 0x8e or 0x96: Push(ReadBytes(ReadLength8()).ToArray()); break;                       // BINBYTES8, BYTEARRAY8
                case (byte)')': Push(Array.Empty<object?>()); break;                                      // EMPTY_TUPLE
                case (byte)'t': Push(PopMark().ToArray()); break;                                         // TUPLE
                case 0x85: Push(new[] { Pop() }); break;                                                  // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }                 // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)']': Push(new List<object?>()); break;                                         // EMPTY_LIST
                case (byte)'l': Push(PopMark()); break;                                                   // LIST
                case (byte)'a': { var v = Pop(); AsList(Peek(), at).Add(v); break; }                      // APPEND
                case (byte)'e': { var items = PopMark(); AsList(Peek(), at).AddRange(items); break; }     // APPENDS
                case (byte)'}': Push(new PickleDict()); break;                                            // EMPTY_DICT
                case (byte)'d': Push(ToDict(PopMark(), at)); break;                                       // DICT
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Peek(), k, v, at); break; }       // SETITEM
                case (byte)'u': SetItems(PopMark(), Peek(), at); break;                                   // SETITEMS
                case 0x8f: Push(new List<object?>()); break;                                              // EMPTY_SET (as a list)
                case 0x90: { var items = PopMark(); AsList(Peek(), at).AddRange(items); break; }          // ADDITEMS
                case 0x91: Push(PopMark()); break;                                                        // FROZENSET
                case (byte)'p': _memo[ParseTextInt(ReadLine())] = Peek(); break;                          // PUT
                case (byte)'q': _memo[ReadByte()] = Peek(); break;                                        // BINPUT
                case (byte)'r': _memo[ReadLength4()] = Peek(); break;                                     // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                                            // MEMOIZE
                case (byte)'g': Push(Recall(ParseTextInt(ReadLine()), at)); break;                        // GET
                case (byte)'h': Push(Recall(ReadByte(), at)); break;                                      // BINGET
                case (byte)'j': Push(Recall(ReadLength4(), at)); break;                                   // LONG_BINGET
                case (byte)'c': { string module = ReadLine(); Push(_resolver.ResolveGlobal(module, ReadLine())); break; } // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(_resolver.ResolveGlobal(AsString(module, at), AsString(name, at))); break; } // STACK_GLOBAL
                case (byte)'R': { var args = AsTuple(Pop(), at); Push(_resolver.Call(Pop(), args)); break; }   // REDUCE
                case 0x81: { var args = AsTuple(Pop(), at); Push(_resolver.Call(Pop(), args)); break; }        // NEWOBJ
                case 0x92: { Pop(); var args = AsTuple(Pop(), at); Push(_resolver.Call(Pop(), args)); break; } // NEWOBJ_EX (kwargs dropped)
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; }                            // BUILD
                case (byte)'Q': Push(_resolver.PersistentLoad(Pop())); break;                                  // BINPERSID
                case (byte)'P': Push(_resolver.PersistentLoad(ReadLine())); break;                             // PERSID
                default: throw new FormatException($"unsupported pickle opcode 0x{op:x2} at byte {at}");
            }
        }
    }

    private static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject o: o.State = state; break;
            case PickleDict d: d.Attributes = state; break;
            // Other targets (tensors) carry no state that matters for loading.
        }
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count)) throw new FormatException($"pickle stack underflow at byte {_pos}");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw new FormatException($"pickle stack empty at byte {_pos}");

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new FormatException($"pickle MARK missing at byte {_pos}");
        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? Recall(long key, int at) =>
        _memo.TryGetValue(key, out var v) ? v : throw new FormatException($"pickle memo key {key} undefined at byte {at}");

    private static List<object?> AsList(object? o, int at) => o as List<object?> ?? throw new FormatException($"APPEND to a non-list at byte {at}");

    private static object?[] AsTuple(object? o, int at) => o switch
    {
        object?[] t => t,
        List<object?> l => l.ToArray(),
        _ => throw new FormatException($"call arguments are not a tuple at byte {at}"),
    };

    private static string AsString(object? o, int at) => o as string ?? throw new FormatException($"expected a string at byte {at}");

    private static PickleDict ToDict(List<object?> items, int at)
    {
        var d = new PickleDict();
        SetItems(items, d, at);
        return d;
    }

    private static void SetItem(object? target, object? key, object? value, int at)
    {
        if (target is not PickleDict d) throw new FormatException($"SETITEM on a non-dict at byte {at}");
        d[key ?? throw new FormatException($"None as a dict key at byte {at}")] = value;
    }

    private static void SetItems(List<object?> items, object? target, int at)
    {
        if (items.Count % 2 != 0) throw new FormatException($"odd number of dict items at byte {at}");
        for (int i = 0; i < items.Count; i += 2) SetItem(target, items[i], items[i + 1], at);
    }

    private byte ReadByte() => _pos < _data.Length ? _data[_pos++] : throw new FormatException("pickle data truncated");

    private ReadOnlySpan<byte> ReadBytes(long n)
    {
        if (n < 0 || n > _data.Length - _pos) throw new FormatException($"pickle data truncated (needs {n} bytes at byte {_pos})");
        var span = new ReadOnlySpan<byte>(_data, _pos, (int)n);
        _pos += (int)n;
        return span;
    }

    private long ReadLength4() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    private long ReadLength8()
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        return n > int.MaxValue ? throw new FormatException($"pickle item of {n} bytes is too large") : (long)n;
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw new FormatException("pickle data truncated (unterminated line)");
        string s = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private string Utf8(long n) => Encoding.UTF8.GetString(ReadBytes(n));

    private string Latin1(long n) => Encoding.Latin1.GetString(ReadBytes(n));

    private object ReadLong(long n)
    {
        var bytes = ReadBytes(n);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static long ParseTextInt(string s) => s switch
    {
        "00" => 0, // protocol 0's False
        "01" => 1, // protocol 0's True
        _ => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : throw new FormatException($"bad pickle integer '{s}'"),
    };
}
