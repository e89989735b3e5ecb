// The auditor's search over the trail (no rendering), tested as a unit.
import type { AuditRecord } from '../api';
import { fold } from '../fold';
import { provinceDate } from '../format';

export interface TrailFilter { actor?: string; event?: string; dossier?: string; from?: string; to?: string }

// Records matching every filter given: actor, event and dossier as folded substrings ("lan"
// finds coordinator.hg.lan), from and to as the province's calendar dates, inclusive.
export function filterTrail(records: AuditRecord[], f: TrailFilter): AuditRecord[] {
  const has = (value: string, want?: string) => !want?.trim() || fold(value).includes(fold(want));
  return records.filter((r) => {
    const day = provinceDate(new Date(r.at));
    return has(r.actor, f.actor) && has(r.event, f.event) && has(r.dossier, f.dossier) &&
      (!f.from || day >= f.from) && (!f.to || day <= f.to);
  });
}

const CSV_COLUMNS: (keyof AuditRecord)[] = ['seq', 'at', 'actor', 'role', 'dossier', 'event', 'from', 'to', 'level', 'data', 'prev_hash', 'hash'];

export function toCsv(records: AuditRecord[]): string {
  const cell = (v: unknown) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v ?? '');
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [CSV_COLUMNS.join(','), ...records.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
