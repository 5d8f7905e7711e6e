// Suggests the known key a misspelt one probably meant (`idle_timeout` -> `idle`), for "did you mean" hints.

/** The known key closest to `key`, or null when none is close enough to be a useful hint. */
export function closeSpelling(key: string, known: readonly string[]): string | null {
  const wanted = normalized(key);
  if (wanted === '') return null;
  let best: { readonly candidate: string; readonly distance: number } | null = null;
  for (const candidate of known) {
    const other = normalized(candidate);
    if (other === wanted) return candidate;
    const distance = editDistance(wanted, other);
    // A few typos, or one spelling inside the other (idle_timeout holds idle, timeout is in wakeTimeout).
    const close =
      distance <= Math.max(1, Math.floor(other.length / 4)) ||
      (Math.min(other.length, wanted.length) >= 4 &&
        (wanted.includes(other) || other.includes(wanted)));
    if (close && (best === null || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

function normalized(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: `idel` is one swap from `idle`. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const at = (r: number, c: number): number => (r === i ? row[c] : rows[r]?.[c]) ?? 0;
      let best = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
