// Temperature: logits / T (HF's TemperatureLogitsWarper). In place; -Infinity stays -Infinity.

export function applyTemperature(logits: Float64Array, temperature: number): void {
  if (temperature === 1) return;
  for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! / temperature;
}
