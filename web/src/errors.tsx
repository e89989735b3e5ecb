// The engine's answers in plain words: what happened and what to do, then the engine's own
// detail (its reason: the state, the guard, the missing document) for the person who needs it.
import { ApiError } from './api';
import { label, t, type Key } from './i18n';
import { kindName } from './config';

// The engine's most common reasons, in Vietnamese (its own text stays below as the detail).
export function explain(detail: string): string | null {
  let m = /required documents missing for \w+: (.+)$/.exec(detail);
  if (m) return t('why_missing_documents', { kinds: m[1].split(/,\s*/).map((k) => kindName(k.trim())).join(', ') });
  m = /is not allowed for dossier \S+ in state (\w+)/.exec(detail);
  if (m) return t('why_state', { state: label('state', m[1]) });
  return null;
}

export function errorKey(e: unknown): Key {
  if (!(e instanceof ApiError)) return 'err_internal';
  if (e.status === 0) return 'err_network';
  if (e.status === 412) return 'err_conflict';
  if (e.status === 409) return 'err_refused';
  if (e.status === 403) return 'err_forbidden';
  if (e.status === 404) return 'err_not_found';
  if (e.status === 400 || e.status === 422) return 'err_bad_input';
  if (e.status === 503) return 'err_busy';
  return 'err_internal';
}

export function ErrorBox({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const key = errorKey(error);
  const detail = error instanceof ApiError ? error.detail : '';
  return (
    <div class={key === 'err_conflict' ? 'alert alert-conflict' : 'alert alert-error'} role="alert" data-testid={key}>
      <p>{t(key)}</p>
      {detail && explain(detail) && <p data-testid="why">{explain(detail)}</p>}
      {detail && key !== 'err_conflict' && <p class="detail">{t('err_detail', { detail })}</p>}
      {key === 'err_conflict' && onReload && (
        <button type="button" class="btn" onClick={onReload}>{t('err_reload')}</button>
      )}
    </div>
  );
}
