// The dashboard's arithmetic (no rendering), tested as a unit.
import type { Key } from '../i18n/vi';

// How many dossiers have reached at least each stage, by their current state.
export function funnel(byState: Record<string, number>): { key: Key; n: number }[] {
  const n = (states: string[]) => states.reduce((s, x) => s + (byState[x] ?? 0), 0);
  const recognized = n(['recognized']);
  const evaluated = recognized + n(['scored', 'not_recognized']);
  const development = evaluated + n(['in_development', 'submitted', 'returned', 'under_review']);
  const plans = development + n(['plan_submitted', 'plan_returned']);
  const ideas = plans + n(['idea_submitted', 'idea_returned', 'idea_accepted', 'rejected', 'withdrawn']);
  return [
    { key: 'funnel_ideas', n: ideas },
    { key: 'funnel_plans', n: plans },
    { key: 'funnel_development', n: development },
    { key: 'funnel_evaluated', n: evaluated },
    { key: 'funnel_recognized', n: recognized },
  ];
}
