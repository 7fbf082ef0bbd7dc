namespace SigmaFlow.Core.Data;

/// <summary>
/// Splits a <see cref="TextReader"/> into lines without allocating a string per line. Lines end at <c>\n</c>,
/// <c>\r\n</c> or a lone <c>\r</c>. A returned line is valid until the next call.
/// </summary>
internal sealed class CsvLineReader
{
    private readonly TextReader reader;
    private char[] buffer;
    private int start;
    private int end;
    private bool endOfInput;

    public CsvLineReader(TextReader reader, int bufferSize = 64 * 1024)
    {
        this.reader = reader;
        buffer = new char[bufferSize];
    }

    /// <summary>Reads the next line without its terminator.</summary>
    /// <param name="line">The line; valid until the next call.</param>
    /// <returns>False at the end of the input.</returns>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            var pending = buffer.AsSpan(start, end - start);
            var index = pending.IndexOfAny('\r', '\n');
            if (index >= 0)
            {
                // A '\r' at the very end of the buffer may be the first half of "\r\n": read on before deciding.
                if (pending[index] == '\r' && index == pending.Length - 1 && !endOfInput)
                {
                    Fill();
                    continue;
                }

                line = pending[..index];
                var consumed = index + 1;
                if (pending[index] == '\r' && consumed < pending.Length && pending[consumed] == '\n')
                {
                    consumed++;
                }

                start += consumed;
                return true;
            }

            if (endOfInput)
            {
                line = pending;
                start = end;
                return !pending.IsEmpty;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (start > 0)
        {
            Array.Copy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }

        if (end == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        var read = reader.Read(buffer, end, buffer.Length - end);
        if (read == 0)
        {
            endOfInput = true;
        }
        else
        {
            end += read;
        }
    }
}
