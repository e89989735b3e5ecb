// The dossier's lifecycle as the page needs it (spec §2): which events each state allows, what
// data each event asks for, and which roles usually fire it. The engine is the authority: the
// page offers an action when the state allows it and one of the user's roles lists it, and
// shows the engine's answer (a refusal, a conflict) as it comes. The roles' events are the
// configuration's (GET /api/v1/config, `roles`).

export const STATES = [
  'idea_submitted', 'idea_returned', 'idea_accepted', 'plan_submitted', 'plan_returned',
  'in_development', 'submitted', 'returned', 'under_review', 'scored', 'recognized',
  'not_recognized', 'rejected', 'withdrawn',
] as const;
export type State = (typeof STATES)[number];
export const FINAL_STATES: State[] = ['not_recognized', 'rejected', 'withdrawn'];

export const LEVELS = ['commune', 'district', 'province', 'central'] as const;

export type FieldKind = 'text' | 'textarea' | 'date' | 'choice' | 'kinds' | 'criteria' | 'score' | 'locality';
export interface Field {
  name: string;
  kind: FieldKind;
  required?: boolean;
  choices?: string[];
}

export interface EventSpec {
  from: State[];
  fields: Field[];
  tone?: 'primary' | 'danger' | 'neutral';
  // Sent without If-Match: the event does not depend on what the page showed (a member's own
  // sheet, a note), so five members scoring at once do not turn each other away; the engine
  // still refuses it when the state no longer allows it.
  unversioned?: boolean;
}

const BEFORE_RECOGNIZED: State[] = [
  'idea_submitted', 'idea_returned', 'idea_accepted', 'plan_submitted', 'plan_returned',
  'in_development', 'submitted', 'returned', 'under_review', 'scored',
];
const reason: Field = { name: 'reason', kind: 'textarea', required: true };

export const EVENTS: Record<string, EventSpec> = {
  accept_idea: { from: ['idea_submitted'], fields: [], tone: 'primary' },
  return_idea: { from: ['idea_submitted'], fields: [reason] },
  resubmit_idea: { from: ['idea_returned'], fields: [], tone: 'primary' },
  submit_plan: { from: ['idea_accepted'], fields: [], tone: 'primary' },
  approve_plan: { from: ['plan_submitted'], fields: [], tone: 'primary' },
  return_plan: { from: ['plan_submitted'], fields: [reason] },
  resubmit_plan: { from: ['plan_returned'], fields: [], tone: 'primary' },
  reject: { from: ['idea_submitted', 'plan_submitted'], fields: [reason], tone: 'danger' },
  register: {
    from: ['in_development'],
    fields: [
      { name: 'registration_type', kind: 'choice', required: true, choices: ['new', 'upgrade', 're_evaluation'] },
      { name: 'certificate', kind: 'text' },
    ],
    tone: 'primary',
  },
  return_dossier: { from: ['submitted'], fields: [reason, { name: 'missing', kind: 'kinds' }] },
  resubmit: { from: ['returned'], fields: [], tone: 'primary' },
  accept_dossier: { from: ['submitted'], fields: [{ name: 'round', kind: 'text' }], tone: 'primary' },
  assess: { from: ['under_review'], fields: [{ name: 'locality', kind: 'locality', required: true }] },
  score: { from: ['under_review'], fields: [{ name: 'score', kind: 'score', required: true }], tone: 'primary', unversioned: true },
  close_scoring: { from: ['under_review'], fields: [{ name: 'failed_criteria', kind: 'criteria' }], tone: 'primary' },
  forward: { from: ['scored', 'recognized', 'under_review'], fields: [], tone: 'primary' },
  recognize: {
    from: ['scored'],
    fields: [
      { name: 'decision_no', kind: 'text', required: true },
      { name: 'decision_date', kind: 'date', required: true },
    ],
    tone: 'primary',
  },
  not_recognize: { from: ['scored'], fields: [reason], tone: 'danger' },
  withdraw: { from: BEFORE_RECOGNIZED, fields: [reason], tone: 'danger' },
  annotate: { from: [...STATES], fields: [{ name: 'note', kind: 'textarea', required: true }], tone: 'neutral', unversioned: true },
};

// Events of the dossier's state that one of `roles` lists, in the table's order; `annotate`
// last. Level-bound events are offered as well: the engine checks the level.
// `roleEvents`: each role's events, as the configuration lists them (GET /api/v1/config).
export function availableEvents(state: string, roles: string[], roleEvents: Record<string, string[]>): string[] {
  const mine = new Set(roles.flatMap((r) => roleEvents[r] ?? []));
  // A screener forwards from a screening level (under review); forwarding a scored or
  // recognised dossier is a council level's coordinator's.
  const councilForward = roles.includes('coordinator');
  const list = Object.entries(EVENTS)
    .filter(([name, spec]) => mine.has(name) && spec.from.includes(state as State))
    .filter(([name]) => name !== 'forward' || state === 'under_review' || councilForward)
    .map(([name]) => name);
  return [...list.filter((e) => e !== 'annotate'), ...list.filter((e) => e === 'annotate')];
}

// States in which one of `roles` has something to do (besides annotating): the worklist's chips.
export function actionableStates(roles: string[], roleEvents: Record<string, string[]>): State[] {
  return STATES.filter((s) => availableEvents(s, roles, roleEvents).some((e) => e !== 'annotate' && e !== 'withdraw'));
}

// The main path through the lifecycle, for the stage diagram.
export const STAGES: { key: string; states: State[] }[] = [
  { key: 'stage_idea', states: ['idea_submitted', 'idea_returned', 'idea_accepted'] },
  { key: 'stage_plan', states: ['plan_submitted', 'plan_returned', 'in_development'] },
  { key: 'stage_evaluation', states: ['submitted', 'returned', 'under_review'] },
  { key: 'stage_scored', states: ['scored'] },
  { key: 'stage_recognized', states: ['recognized'] },
];
export function stageIndex(state: string): number {
  return STAGES.findIndex((s) => s.states.includes(state as State));
}
