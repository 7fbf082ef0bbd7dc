namespace SigmaFlow.Core.Data;

/// <summary>
/// One trade (or quote update) for a symbol. Prices are doubles inside the engine; order money is decimal.
/// </summary>
/// <param name="Symbol">Instrument symbol, e.g. <c>BTCUSD</c>.</param>
/// <param name="Time">Event time, Unix milliseconds UTC.</param>
/// <param name="Price">Trade price; must be finite and positive.</param>
/// <param name="Size">Trade size; must be finite and not negative.</param>
/// <param name="Bid">Best bid at the time, when known (NaN otherwise).</param>
/// <param name="Ask">Best ask at the time, when known (NaN otherwise).</param>
/// <param name="Sequence">Publisher sequence number, when known (-1 otherwise).</param>
public readonly record struct Tick(string Symbol, long Time, double Price, double Size, double Bid = double.NaN, double Ask = double.NaN, long Sequence = -1);
