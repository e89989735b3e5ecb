// The auditor's desk (first part): verify the hash chain and show the head to publish (what
// `ocop audit verify` prints), and export the trail as JSONL or CSV.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { t } from '../i18n';
import { formatNumber, lang } from '../format-lang';
import { ErrorBox } from '../errors';

export function AuditDesk() {
  const [result, setResult] = useState<{ valid: boolean; records?: number; head?: string; problem?: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
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
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit_title')}</h1>
      <section class="card">
        <button type="button" class="btn btn-primary" onClick={verify} disabled={busy}>{t('audit_verify')}</button>
        <ErrorBox error={error} />
        {result && (result.valid ? (
          <div class="alert alert-ok" role="status" data-testid="verify-ok">
            <p>{t('audit_valid', { records: formatNumber(result.records ?? 0, lang()) })}</p>
            <p>{t('audit_head')}: <code class="hash" data-testid="head">{result.head}</code></p>
          </div>
        ) : (
          <p class="alert alert-error" role="alert">{t('audit_broken', { problem: result.problem ?? '' })}</p>
        ))}
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
