// Order statistics for noisy samples: medians, never means, so one descheduled batch cannot move a figure.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The median of per-round ratios a[i]/b[i]: both sides of each ratio ran in the same round. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((v, i) => v / (b[i] as number)));
}

/** The median of per-round differences a[i]-b[i]. */
export function medianDifference(a: readonly number[], b: readonly number[]): number {
  return median(a.map((v, i) => v - (b[i] as number)));
}
