// The dashboard's arithmetic (no rendering), tested as a unit.
import type { Funnel } from '../api';
import type { Key } from '../i18n/vi';

// The funnel's rows in the cycle's order, from the report's "funnel" (the engine counts it:
// funnel_of, the same numbers as the yearly report's chart); a scope without dossiers has none.
export function funnel(f: Funnel | undefined): { key: Key; n: number }[] {
  return [
    { key: 'funnel_ideas', n: f?.idea ?? 0 },
    { key: 'funnel_plans', n: f?.plan ?? 0 },
    { key: 'funnel_development', n: f?.development ?? 0 },
    { key: 'funnel_evaluated', n: f?.evaluation ?? 0 },
    { key: 'funnel_recognized', n: f?.recognition ?? 0 },
  ];
}
