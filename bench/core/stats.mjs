/**
 * Small helpers shared by the core benches: robust summaries and formatting.
 * Medians, not means: a neighbour's burst of CPU on a shared machine moves a
 * mean, and barely moves a median.
 */

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The spread of a list as [min, max], to show how noisy a median is. */
export function range(values) {
  return [Math.min(...values), Math.max(...values)]
}

export const fmt = {
  /** 1234567 -> '1,234,567' */
  int: (n) => Math.round(n).toLocaleString('en-US'),
  ms: (n, digits = 1) => `${n.toFixed(digits)} ms`,
  /** Bytes as kilobytes of 1000 bytes, the stricter reading of a "KB" goal. */
  kb: (bytes) => `${(bytes / 1000).toFixed(2)} KB`,
  ratio: (n) => `${n.toFixed(2)}x`,
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
