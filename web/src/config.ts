// The configuration the service publishes (GET /api/v1/config): units and their tree, the rule
// set in force (the parts' maxima, the star bands, the council levels' quorums), document kinds
// with their Vietnamese names, product sets, the roles' events, rounds, the working-day calendar
// and the stalled reminders' thresholds. The page reads it once after signing in and shows what
// the engine will decide from it; nothing here is the sample's: another province's configuration
// shows its own units, rules and holidays.
import { lang, label } from './i18n';

export interface ConfigUnit {
  code: string;
  name: string;
  level: string;
  parent: string | null;
  valid_from: string | null;
  valid_to: string | null;
  successor: string | null;
  unit_now: string | null;
  in_scope: boolean;
}

export interface Part { key: 'A' | 'B' | 'C'; max: number }
export interface Band { stars: number; min: number }

export interface RuleSet {
  id: string;
  effective_from: string;
  parts: { A: number; B: number; C: number };
  stars: Band[];
  levels: { level: string; kind: 'screen' | 'council'; quorum: number; recognizes: number[] }[];
}

export interface Calendar { weekend: number[]; holidays: string[]; working_days: string[] }

export interface AppConfig {
  province: { code: string; name: string; timezone: string };
  today: string;
  units: ConfigUnit[];
  rule_set: RuleSet | null;
  document_kinds: { kind: string; name: string }[];
  product_sets: { code: string; group: string; name: string }[];
  roles: Record<string, string[]>;
  rounds: { year: number; id: string; level: string; cutoff: string; meeting: string }[];
  calendar: Calendar;
  overdue_after_days: Record<string, number>;
}

let current: AppConfig | null = null;
let byCode = new Map<string, ConfigUnit>();

export function setConfig(c: AppConfig | null) {
  current = c;
  byCode = new Map((c?.units ?? []).map((u) => [u.code, u]));
}

// The configuration in force; the shell renders no signed-in screen before it is loaded.
export function config(): AppConfig {
  if (!current) throw new Error('the configuration is not loaded');
  return current;
}

export function unit(code: string | null | undefined): ConfigUnit | undefined {
  return code ? byCode.get(code) : undefined;
}

// "Xã Bắc Quang" for TQ-BACQUANG; the code itself when the configuration does not know it.
export function unitName(code: string | null | undefined): string {
  return (code && byCode.get(code)?.name) || code || '';
}

// A document kind's name: the configuration's (Vietnamese) in Vietnamese; in English the
// dictionary's when it has one, else the configuration's. Before the configuration is loaded
// (the public pages, an error shown on the sign-in page) the dictionary's.
export function kindName(kind: string): string {
  const configured = current?.document_kinds.find((k) => k.kind === kind)?.name;
  if (lang() === 'vi') return configured ?? label('kind', kind);
  const translated = label('kind', kind);
  return translated !== kind ? translated : configured ?? kind;
}

export function parts(rs: RuleSet | null = current?.rule_set ?? null): Part[] {
  if (!rs) return [];
  return (['A', 'B', 'C'] as const).map((key) => ({ key, max: rs.parts[key] }));
}

export function bands(rs: RuleSet | null = current?.rule_set ?? null): Band[] {
  return rs ? rs.stars : [];
}

// The quorum of a council level (0 when the level is no council level of the rule set).
export function quorum(level: string, rs: RuleSet | null = current?.rule_set ?? null): number {
  return rs?.levels.find((l) => l.level === level && l.kind === 'council')?.quorum ?? 0;
}

// --- the unit tree ---

export interface UnitNode { unit: ConfigUnit; children: UnitNode[] }

// The units valid today that the reader sees, as a tree by parent (a unit whose parent is not
// shown hangs at the top), each level by name; the units merged away are not nodes (their
// dossiers are listed under the unit that took them over: the engine's rule). With `root` (the
// reader's own unit), the tree starts there when it is a node: a province's coordinator, who
// may read the whole database, sees the province and what is below it first.
export function unitTree(units: ConfigUnit[], root?: string): UnitNode[] {
  const shown = units.filter((u) => u.in_scope && u.unit_now === u.code);
  const nodes = new Map(shown.map((u) => [u.code, { unit: u, children: [] as UnitNode[] }]));
  const roots: UnitNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.unit.parent ? nodes.get(n.unit.parent) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: UnitNode[]) => {
    list.sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi'));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  const own = root ? nodes.get(root) : undefined;
  return own ? [own] : roots;
}

// --- working days ---

const DAY = 86400000;

// How many whole working days something that entered its state on `from` has waited on `to`:
// the working days d with from < d < to, neither counted (the engine's working_days_waited,
// ocop/calendar.hpp), on the configured weekend, holidays and make-up working days.
export function workingDaysWaited(from: string, to: string, cal: Calendar): number {
  const a = Date.parse(from.slice(0, 10) + 'T00:00:00Z');
  const b = Date.parse(to.slice(0, 10) + 'T00:00:00Z');
  if (Number.isNaN(a) || Number.isNaN(b)) return 0;
  const holidays = new Set(cal.holidays);
  const working = new Set(cal.working_days);
  const weekend = new Set(cal.weekend); // ISO: 1 = Monday ... 7 = Sunday
  let n = 0;
  for (let t = a + DAY; t < b; t += DAY) {
    const d = new Date(t);
    const iso = d.toISOString().slice(0, 10);
    const wd = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
    if (working.has(iso) || (!weekend.has(wd) && !holidays.has(iso))) n++;
  }
  return n;
}

// Whether a dossier that has waited `waited` working days in `state` is overdue: a stalled
// reminder of the configuration names the state and `waited` reached its after_days (the
// engine's rule: "more than N working days" is at least N whole ones).
export function isOverdue(state: string, waited: number, thresholds: Record<string, number>): boolean {
  const limit = thresholds[state];
  return limit !== undefined && waited >= limit;
}
