// The province's dashboard from GET /api/v1/report (the numbers of `ocop report`): dossiers by
// state, the cycle's funnel, recognised products by stars, dossiers per unit, certificates
// expiring within 90 days, and for province-wide readers the reminders sent and the messages
// that could not be delivered (the outbox). Each chart is drawn in the page (chart.tsx, SVG)
// with its numbers as a table. Links download the offices' spreadsheet and the yearly report.
import { useEffect, useState } from 'preact/hooks';
import { api, type Report } from '../api';
import { label, t } from '../i18n';
import { formatNumber, lang } from '../format-lang';
import { STATES } from '../lifecycle';
import { ErrorBox } from '../errors';
import { navigate } from '../router';
import { funnel } from './dashboard-model';
import { BarChart } from '../chart';
import { unitName } from '../config';

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
    .map(([u, v]) => ({ label: unitName(u), n: Object.values(v.dossiers_by_state ?? {}).reduce((a, b) => a + b, 0) }))
    .filter((r) => r.n > 0)
    .sort((a, b) => b.n - a.n);
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">{t('dash_title')}{unit ? ` – ${unitName(unit)}` : ''}</h1>
      <form class="form dash-unit" onSubmit={(e) => {
        e.preventDefault();
        const u = String(new FormData(e.currentTarget as HTMLFormElement).get('unit') ?? '');
        navigate('/tong-quan' + (u ? '?unit=' + encodeURIComponent(u) : ''));
      }}>
        <label>
          <span>{t('dash_scope')}</span>
          <select name="unit" value={unit} onChange={(e) => (e.currentTarget as HTMLSelectElement).form!.requestSubmit()}>
            <option value="">{t('dash_province')}</option>
            {Object.keys(report.units ?? {}).sort((a, b) => unitName(a).localeCompare(unitName(b), 'vi')).map((u) => <option value={u}>{unitName(u)} ({u})</option>)}
          </select>
        </label>
      </form>
      <ul class="kpis">
        <li class="kpi" data-testid="dash-expiring">{t('dash_expiring', { n: expiring === null ? '…' : formatNumber(expiring, lang()) })}</li>
        {report.outbox && (
          <>
            <li class="kpi" data-testid="dash-reminders">{t('dash_reminders_sent', { n: formatNumber(report.outbox.reminders_sent, lang()) })}</li>
            <li class={(report.outbox.by_state.dead ?? 0) > 0 ? 'kpi kpi-warn' : 'kpi'} data-testid="dash-dead">
              {t('dash_dead', { n: formatNumber(report.outbox.by_state.dead ?? 0, lang()) })}
            </li>
          </>
        )}
      </ul>
      {/* The offices' reports over the same API (docs/reports.md), for the user's whole scope:
          the service answers them as attachments. */}
      <p class="dash-downloads">
        <a href="/api/v1/report?format=xlsx" download data-testid="dash-xlsx">{t('dash_download_xlsx')}</a>
        <a href="/api/v1/report?format=pdf" download data-testid="dash-pdf">{t('dash_download_pdf')}</a>
      </p>
      <div class="grid">
        <BarChart id="dash-funnel" title={t('dash_funnel')} labelHeader={t('dash_stage')} rows={funnel(scope.funnel).map((f) => ({ label: t(f.key), n: f.n }))} />
        <BarChart id="dash-states" title={t('dash_by_state')} labelHeader={t('col_state')} rows={STATES.filter((s) => byState[s]).map((s) => ({ label: label('state', s), n: byState[s] }))} />
        <BarChart id="dash-stars" title={t('dash_by_stars')} labelHeader={t('dash_stars')} rows={Object.keys(stars).sort().map((s) => ({ label: '★'.repeat(Number(s)) + ` (${s})`, n: stars[s] }))} />
        {!unit && <BarChart id="dash-units" title={t('dash_units')} labelHeader={t('dash_unit')} rows={units} />}
        {report.outbox && (
          <BarChart id="dash-outbox" title={t('dash_outbox')} labelHeader={t('col_state')}
            rows={['sent', 'pending', 'sending', 'dead'].map((s) => ({ label: t(('outbox_' + s) as 'outbox_sent'), n: report.outbox!.by_state[s] ?? 0, warn: s === 'dead' }))} />
        )}
      </div>
    </section>
  );
}
