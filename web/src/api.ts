// The service's JSON API (/api/v1, docs/openapi.json), and nothing else: the page signs in with
// the session cookie (HttpOnly, set by POST /api/v1/session) and every write is a request the
// engine authorises. Problems (RFC 9457) become ApiError with the CLI's code.

export interface Me {
  user: string;
  name: string;
  unit: string;
  roles: string[];
  via: string;
  second_factor: boolean;
  operator: boolean;
}

export interface Dossier {
  id: string;
  state: string;
  level: string;
  version: number;
  unit: string;
  unit_now?: string;
  product: string;
  product_set: string;
  producer: string;
  year: number;
  rule_set: string;
  registration_type: string;
  score: number | null;
  stars: number | null;
  certificate: string;
  round: string;
  created_at: string;
  updated_at: string;
  state_since: string;
  documents?: DocumentRef[];
  scoresheets?: { member: string; A: number; B: number; C: number; total: number }[];
  assessment?: Record<string, number>;
}

export interface DocumentRef { kind: string; name: string; sha256: string; bytes: number }
export interface DocumentInfo extends DocumentRef { kind_name: string | null; at: string; stored: boolean | null }

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  role: string;
  dossier: string;
  event: string;
  from: string;
  to: string;
  level: string;
  data: unknown;
  prev_hash: string;
  hash: string;
}

export interface Page<T> { items: T[]; count: number; limit: number; next_cursor: string | null }

// The cycle's funnel as the engine counts it (funnel_of): dossiers that reached each stage.
export type Funnel = Record<'idea' | 'plan' | 'development' | 'evaluation' | 'recognition', number>;

export interface Report {
  dossiers_by_state: Record<string, number>;
  funnel: Funnel;
  certificates_by_stars: Record<string, number>;
  // Province-wide readers only: the outbox's messages by state, reminders sent and dead.
  outbox?: { by_state: Record<string, number>; reminders_sent: number; reminders_dead: number };
  units: Record<string, { dossiers_by_state?: Record<string, number>; funnel?: Funnel; certificates_by_stars?: Record<string, number> }>;
}

export interface OutboxMessage {
  id: number;
  state: string;
  channel: string;
  recipient: string;
  subject: string;
  cause: string;
  dossier: string | null;
  attempts: number;
  created_at: string;
  last_error: string | null;
}

export interface TokenInfo { id: string; created: string; expires: string; revoked: boolean; note: string }
export interface SessionInfo { id: string; created: string; last_seen: string; expires: string; second_factor: boolean; address: string; current: boolean }

export class ApiError extends Error {
  constructor(public status: number, public code: string, public detail: string) {
    super(detail || `HTTP ${status}`);
  }
}

// Called on 401 from any request but signing in: the page goes back to the sign-in form.
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(f: () => void) {
  onUnauthenticated = f;
}

async function request<T>(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; raw?: BodyInit } = {}): Promise<{ data: T; etag: string | null }> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 401 && path !== '/api/v1/session') onUnauthenticated();
  if (!res.ok) {
    let code = 'internal';
    let detail = '';
    try {
      const p = await res.json();
      code = p.code ?? code;
      detail = p.detail ?? '';
    } catch {
      /* not a problem document */
    }
    if (res.status === 503) code = 'busy';
    throw new ApiError(res.status, code, detail);
  }
  const data = res.status === 204 ? (null as T) : ((await res.json()) as T);
  return { data, etag: res.headers.get('ETag') };
}

export function newKey(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'web-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export const api = {
  signIn: (user: string, password: string, totp?: string) =>
    request<{ user: string }>('POST', '/api/v1/session', { body: totp ? { user, password, totp } : { user, password } }),
  signOut: () => request<null>('DELETE', '/api/v1/session'),
  me: () => request<Me>('GET', '/api/v1/me'),
  config: () => request<unknown>('GET', '/api/v1/config'),
  myTokens: () => request<TokenInfo[]>('GET', '/api/v1/me/tokens'),
  revokeToken: (id: string) => request<null>('DELETE', '/api/v1/me/tokens/' + encodeURIComponent(id)),
  mySessions: () => request<SessionInfo[]>('GET', '/api/v1/me/sessions'),
  signOutEverywhere: () => request<null>('DELETE', '/api/v1/sessions'),
  dossiers: (params: URLSearchParams) => request<Page<Dossier>>('GET', '/api/v1/dossiers?' + params.toString()),
  dossier: (id: string) => request<Dossier>('GET', '/api/v1/dossiers/' + encodeURIComponent(id)),
  history: (id: string) => request<AuditRecord[]>('GET', '/api/v1/dossiers/' + encodeURIComponent(id) + '/history'),
  documents: (id: string) => request<DocumentInfo[]>('GET', '/api/v1/dossiers/' + encodeURIComponent(id) + '/documents'),
  // One event as the signed-in user; `version` (the dossier's ETag) makes a stale page fail
  // with 412 instead of acting on a state it did not see.
  fire: (event: string, dossier: string, data: Record<string, unknown>, version: string | null, key: string) =>
    request<Dossier & { duplicate?: boolean }>('POST', '/api/v1/events', {
      body: { event, dossier, data },
      headers: { 'Idempotency-Key': key, ...(version ? { 'If-Match': version } : {}) },
    }),
  // An event that creates its object (submit_idea): no dossier, no version.
  create: (event: string, data: Record<string, unknown>, key: string) =>
    request<Dossier>('POST', '/api/v1/events', { body: { event, data }, headers: { 'Idempotency-Key': key } }),
  upload: (dossier: string, kind: string, file: File, version: string | null, key: string) =>
    request<Dossier>(
      'POST',
      `/api/v1/dossiers/${encodeURIComponent(dossier)}/documents?kind=${encodeURIComponent(kind)}&name=${encodeURIComponent(file.name)}`,
      { raw: file, headers: { 'Content-Type': 'application/octet-stream', 'Idempotency-Key': key, ...(version ? { 'If-Match': version } : {}) } },
    ),
  outbox: (state: string) => request<OutboxMessage[]>('GET', '/api/v1/outbox?state=' + encodeURIComponent(state) + '&limit=200'),
  retry: (id: number, key: string) => request<OutboxMessage>('POST', `/api/v1/outbox/${id}/retry`, { headers: { 'Idempotency-Key': key } }),
  tick: (dryRun: boolean) => request<unknown>('POST', '/api/v1/tick' + (dryRun ? '?dry_run=true' : '')),
  certificates: (expiringWithin: number, unit: string) =>
    request<{ id: string }[]>('GET', `/api/v1/certificates?expiring_within=${expiringWithin}` + (unit ? '&unit=' + encodeURIComponent(unit) : '')),
  report: () => request<Report>('GET', '/api/v1/report'),
  // The whole trail (JSONL), parsed: the auditor's search runs over it in the page.
  trail: async (): Promise<AuditRecord[]> => {
    let res: Response;
    try {
      res = await fetch('/api/v1/audit/export?format=jsonl', { credentials: 'same-origin', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network', '');
    }
    if (!res.ok) throw new ApiError(res.status, res.status === 403 ? 'forbidden' : 'internal', '');
    const text = await res.text();
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AuditRecord);
  },
  verify: () => request<{ valid: boolean; records?: number; head?: string; problem?: string }>('GET', '/api/v1/audit/verify'),
};
