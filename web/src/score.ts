// The council's scoresheet as the member types it: parts A, B, C within their maxima, the total
// and the star band it falls in (Decision 148/QĐ-TTg: A 40, B 25, C 35; <30 → 1★, 30–49 → 2★,
// 50–69 → 3★, 70–89 → 4★, 90–100 → 5★, in the sample). The engine decides; this is the preview.
// The maxima, bands and quorum are the rule set in force that GET /api/v1/config publishes
// (config.ts): the caller passes them.
import type { Band, Part } from './config';
export type { Band, Part };

export type PartProblem = 'missing' | 'not_a_number' | 'negative' | 'over_max';

export interface Preview {
  values: Partial<Record<Part['key'], number>>;
  problems: Partial<Record<Part['key'], PartProblem>>;
  total: number | null;   // null until every part is a valid number
  stars: number | null;
}

// "12,5" and "12.5" are both twelve and a half (a Vietnamese keyboard types the comma).
export function parsePoints(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (t === '' || !/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

export function starsFor(total: number, bands: Band[]): number {
  let stars = 0;
  for (const b of [...bands].sort((x, y) => x.min - y.min)) if (total >= b.min) stars = b.stars;
  return stars;
}

export function preview(inputs: Partial<Record<Part['key'], string>>, parts: Part[], bands: Band[]): Preview {
  const p: Preview = { values: {}, problems: {}, total: null, stars: null };
  let total = 0;
  let complete = true;
  for (const part of parts) {
    const raw = (inputs[part.key] ?? '').trim();
    if (raw === '') { p.problems[part.key] = 'missing'; complete = false; continue; }
    if (/^-/.test(raw)) { p.problems[part.key] = 'negative'; complete = false; continue; }
    const v = parsePoints(raw);
    if (v === null) { p.problems[part.key] = 'not_a_number'; complete = false; continue; }
    if (v > part.max) p.problems[part.key] = 'over_max';
    p.values[part.key] = v;
    total += v;
  }
  if (complete && Object.keys(p.problems).length === 0) {
    p.total = Math.round(total * 100) / 100;
    p.stars = starsFor(p.total, bands);
  }
  return p;
}

// The chair's view of the sheets: how many, whether the quorum is met, the average of the
// totals and the band it falls in (the engine computes the final stars when scoring closes,
// capped by failed mandatory criteria and the level's recognisable stars).
export function councilSummary(totals: number[], quorum: number, bands: Band[]) {
  const n = totals.length;
  const average = n ? Math.round((totals.reduce((a, b) => a + b, 0) / n) * 100) / 100 : null;
  return { sheets: n, quorum, quorumMet: n >= quorum, average, stars: average === null ? null : starsFor(average, bands) };
}
