// The province's dashboard from GET /api/v1/report (the numbers of `ocop report`): dossiers by
// state, the cycle's funnel, recognised products by stars, dossiers per unit. Each chart is bars
// drawn in the page with its numbers beside them, and a table for screen readers and copying.
import { useEffect, useState } from 'preact/hooks';
import { api, type Report } from '../api';
import { label, t } from '../i18n';
import { formatNumber, lang } from '../format-lang';
import { STATES } from '../lifecycle';
import { ErrorBox } from '../errors';
import { navigate } from '../router';
import { funnel } from './dashboard-model';

function Bars({ title, rows, id }: { title: string; rows: { label: string; n: number }[]; id: string }) {
  const max = Math.max(1, ...rows.map((r) => r.n));
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <table class="bars" data-testid={id}>
        <thead><tr><th scope="col" class="sr-only-th">{t('col_state')}</th><th scope="col">{t('dash_count')}</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td>
                <div class="bar-row">
                  <span class="bar" aria-hidden="true"><span class="bar-fill" ref={(el) => { if (el) el.style.width = `${(100 * r.n) / max}%`; }} /></span>
                  <span class="bar-n">{formatNumber(r.n, lang())}</span>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Dashboard({ query }: { query: URLSearchParams }) {
  const [report, setReport] = useState<Report | null>(null);
  const [expiring, setExpiring] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const unit = query.get('unit') ?? '';
  useEffect(() => {
    api.report().then((r) => setReport(r.data), setError);
  }, []);
  useEffect(() => {
    setExpiring(null);
    api.certificates(90, unit).then((r) => setExpiring(r.data.length), () => setExpiring(null));
  }, [unit]);
  if (error) return <ErrorBox error={error} />;
  if (!report) return <p class="loading">{t('loading')}</p>;
  const scope = unit ? report.units?.[unit] ?? {} : report;
  const byState = scope.dossiers_by_state ?? {};
  const stars = scope.certificates_by_stars ?? {};
  const units = Object.entries(report.units ?? {})
    .map(([u, v]) => ({ label: u, n: Object.values(v.dossiers_by_state ?? {}).reduce((a, b) => a + b, 0) }))
    .filter((r) => r.n > 0)
    .sort((a, b) => b.n - a.n);
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">{t('dash_title')}{unit ? ` – ${unit}` : ''}</h1>
      <form class="form dash-unit" onSubmit={(e) => {
        e.preventDefault();
        const u = String(new FormData(e.currentTarget as HTMLFormElement).get('unit') ?? '');
        navigate('/tong-quan' + (u ? '?unit=' + encodeURIComponent(u) : ''));
      }}>
        <label>
          <span>{t('dash_scope')}</span>
          <select name="unit" value={unit} onChange={(e) => (e.currentTarget as HTMLSelectElement).form!.requestSubmit()}>
            <option value="">{t('dash_province')}</option>
            {Object.keys(report.units ?? {}).sort().map((u) => <option value={u}>{u}</option>)}
          </select>
        </label>
      </form>
      <p class="kpi" data-testid="dash-expiring">{t('dash_expiring', { n: expiring === null ? '…' : formatNumber(expiring, lang()) })}</p>
      <div class="grid">
        <Bars id="dash-funnel" title={t('dash_funnel')} rows={funnel(byState).map((f) => ({ label: t(f.key), n: f.n }))} />
        <Bars id="dash-states" title={t('dash_by_state')} rows={STATES.filter((s) => byState[s]).map((s) => ({ label: label('state', s), n: byState[s] }))} />
        <Bars id="dash-stars" title={t('dash_by_stars')} rows={Object.keys(stars).sort().map((s) => ({ label: '★'.repeat(Number(s)) + ` (${s})`, n: stars[s] }))} />
        {!unit && <Bars id="dash-units" title={t('dash_units')} rows={units} />}
      </div>
    </section>
  );
}
