// The auditor's desk: verify the hash chain and show the head to publish (what `ocop audit
// verify` prints); search the trail (GET /api/v1/audit/export, read in the page) by actor, event,
// dossier and date range; export what was found, or the whole trail, as JSONL or CSV. Read-only
// by the server: the auditor's role fires no event, and nothing here writes.
import { useState } from 'preact/hooks';
import { api, ApiError, type AuditRecord } from '../api';
import { label, t } from '../i18n';
import { formatDateTime, formatNumber, lang } from '../format-lang';
import { ErrorBox } from '../errors';
import { filterTrail, toCsv, type TrailFilter } from './audit-model';

const SHOWN = 200; // rows shown; the export has every match

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function AuditDesk() {
  const [result, setResult] = useState<{ valid: boolean; records?: number; head?: string; problem?: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [trail, setTrail] = useState<AuditRecord[] | null>(null);
  const [filter, setFilter] = useState<TrailFilter>({});
  const [found, setFound] = useState<AuditRecord[] | null>(null);

  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult((await api.verify()).data);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setResult({ valid: false, problem: e.detail });
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const search = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const all = trail ?? (await api.trail());
      setTrail(all);
      setFound(filterTrail(all, filter));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof TrailFilter, key: Parameters<typeof t>[0], type = 'text') => (
    <label>
      <span>{t(key)}</span>
      <input name={name} type={type} value={filter[name] ?? ''}
        onInput={(e) => setFilter({ ...filter, [name]: (e.currentTarget as HTMLInputElement).value })} />
    </label>
  );

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit_title')}</h1>
      <ErrorBox error={error} />
      <section class="card" aria-labelledby="verify-title">
        <h2 id="verify-title">{t('audit_verify')}</h2>
        <button type="button" class="btn btn-primary" onClick={verify} disabled={busy}>{t('audit_verify')}</button>
        {result && (result.valid ? (
          <div class="alert alert-ok" role="status" data-testid="verify-ok">
            <p>{t('audit_valid', { records: formatNumber(result.records ?? 0, lang()) })}</p>
            <p>{t('audit_head')}: <code class="hash" data-testid="head">{result.head}</code></p>
          </div>
        ) : (
          <p class="alert alert-error" role="alert">{t('audit_broken', { problem: result.problem ?? '' })}</p>
        ))}
      </section>

      <section class="card" aria-labelledby="search-title">
        <h2 id="search-title">{t('audit_search')}</h2>
        <form class="form form-grid" onSubmit={search}>
          {field('actor', 'audit_actor')}
          {field('event', 'audit_event')}
          {field('dossier', 'audit_dossier')}
          {field('from', 'audit_from', 'date')}
          {field('to', 'audit_to', 'date')}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>{t('audit_search_go')}</button>
          </div>
        </form>
        {found && (
          <>
            <p class="count" role="status" data-testid="audit-count">{t('audit_found', { n: formatNumber(found.length, lang()) })}</p>
            <p class="action-buttons">
              <button type="button" class="btn" onClick={() => download('ocop-audit-search.jsonl', 'application/x-ndjson', found.map((r) => JSON.stringify(r)).join('\n') + '\n')}>{t('audit_export_found_jsonl')}</button>
              <button type="button" class="btn" onClick={() => download('ocop-audit-search.csv', 'text/csv', toCsv(found))}>{t('audit_export_found_csv')}</button>
            </p>
            {found.length > 0 && (
              <table class="list" data-testid="audit-results">
                <thead><tr><th scope="col">#</th><th scope="col">{t('audit_at')}</th><th scope="col">{t('audit_actor')}</th><th scope="col">{t('audit_event')}</th><th scope="col">{t('audit_dossier')}</th><th scope="col">{t('audit_change')}</th></tr></thead>
                <tbody>
                  {found.slice(0, SHOWN).map((r) => (
                    <tr>
                      <td data-label="#">{r.seq}</td>
                      <td data-label={t('audit_at')}>{formatDateTime(r.at)}</td>
                      <td data-label={t('audit_actor')}>{r.actor}</td>
                      <td data-label={t('audit_event')}>{label('ev', r.event)}</td>
                      <td data-label={t('audit_dossier')}>{r.dossier}</td>
                      <td data-label={t('audit_change')}>{r.from !== r.to ? `${label('state', r.from)} → ${label('state', r.to)}` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {found.length > SHOWN && <p class="muted">{t('audit_more', { shown: SHOWN })}</p>}
          </>
        )}
      </section>

      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">{t('audit_export')}</h2>
        <p class="action-buttons">
          <a class="btn" href="/api/v1/audit/export?format=jsonl" download="ocop-audit.jsonl">{t('audit_export_jsonl')}</a>
          <a class="btn" href="/api/v1/audit/export?format=csv" download="ocop-audit.csv">{t('audit_export_csv')}</a>
        </p>
      </section>
    </section>
  );
}
