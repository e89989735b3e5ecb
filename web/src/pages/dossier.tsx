// One dossier: its facts, the stage diagram, its documents and scoresheets, the timeline of its
// audit records, and the actions the user may take, each a form asking exactly what that event
// needs. Every write carries the version the page showed (If-Match): when someone else acted
// first the service answers 412 and the page says so instead of overwriting.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, newKey, type AuditRecord, type Dossier, type Me } from '../api';
import { label, t, type Key } from '../i18n';
import { formatDate, formatDateTime, formatNumber, lang } from '../format-lang';
import { availableEvents, EVENTS, FINAL_STATES, STAGES, stageIndex, type Field } from '../lifecycle';
import { bands, config, kindName, quorum, unitName } from '../config';
import { onLinkClick } from '../router';
import { ErrorBox } from '../errors';
import { ScoreInput } from './score';
import { councilSummary } from '../score';

function size(bytes: number): string {
  if (bytes < 1024) return t('bytes', { n: formatNumber(bytes, lang()) });
  if (bytes < 1024 * 1024) return t('kib', { n: formatNumber(bytes / 1024, lang(), 1) });
  return t('mib', { n: formatNumber(bytes / 1024 / 1024, lang(), 1) });
}

export function DossierPage({ id, me }: { id: string; me: Me }) {
  const [dossier, setDossier] = useState<Dossier | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [history, setHistory] = useState<AuditRecord[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = () => {
    setError(null);
    return Promise.all([api.dossier(id), api.history(id)]).then(
      ([d, h]) => {
        setDossier(d.data);
        setEtag(d.etag);
        setHistory(h.data);
      },
      (e) => setError(e),
    );
  };
  useEffect(() => {
    setDossier(null);
    setHistory(null);
    setOpen(null);
    setDone(null);
    load();
  }, [id]);

  if (error && !dossier)
    return (
      <section>
        <p><a href="/" onClick={onLinkClick}>{t('back_to_list')}</a></p>
        <ErrorBox error={error} />
      </section>
    );
  if (!dossier) return <p class="loading">{t('loading')}</p>;

  const events = availableEvents(dossier.state, me.roles, config().roles);
  const canAttach = !FINAL_STATES.includes(dossier.state as never) && me.roles.some((r) => r === 'producer' || r === 'coordinator');
  const stage = stageIndex(dossier.state);

  const facts: [Key, preact.ComponentChildren][] = [
    ['fact_product', dossier.product],
    ['fact_producer', dossier.producer],
    ['fact_product_set', dossier.product_set],
    ['fact_unit', dossier.unit_now && dossier.unit_now !== dossier.unit ? `${unitName(dossier.unit)} (${dossier.unit}) → ${unitName(dossier.unit_now)} (${dossier.unit_now})` : `${unitName(dossier.unit)} (${dossier.unit})`],
    ['fact_state', <span class={'state state-' + dossier.state} data-testid="state">{label('state', dossier.state)}</span>],
    ['fact_since', formatDateTime(dossier.state_since)],
    ['fact_level', label('level', dossier.level) || t('none')],
    ['fact_year', String(dossier.year)],
    ['fact_rule_set', dossier.rule_set || t('none')],
    ['fact_registration_type', label('reg', dossier.registration_type) || t('none')],
    ['fact_round', dossier.round || t('none')],
    ['fact_score', dossier.score === null ? t('none') : formatNumber(dossier.score, lang())],
    ['fact_stars', dossier.stars === null ? t('none') : '★'.repeat(dossier.stars) + ` (${dossier.stars})`],
    ['fact_certificate', dossier.certificate || t('none')],
  ];

  return (
    <section aria-labelledby="d-title" class="dossier">
      <p><a href="/" onClick={onLinkClick}>{t('back_to_list')}</a></p>
      <h1 id="d-title">{dossier.product} <small class="muted">{t('dossier_title', { id: dossier.id })}</small></h1>

      <ol class="stages" aria-label={t('stages')}>
        {STAGES.map((s, i) => (
          <li class={i < stage ? 'done' : i === stage ? 'current' : ''} aria-current={i === stage ? 'step' : undefined}>
            {t(s.key as Key)}
            <span class="sr-only"> {i < stage ? t('stage_done') : i === stage ? t('stage_current') : ''}</span>
          </li>
        ))}
      </ol>

      <div class="columns">
        <div>
          <section class="card" aria-labelledby="actions-title">
            <h2 id="actions-title">{t('actions')}</h2>
            {done && <p class="alert alert-ok" role="status" data-testid="done">{done}</p>}
            <ErrorBox error={error} onReload={() => load()} />
            {events.length === 0 && !canAttach && <p class="muted">{t('actions_none')}</p>}
            <div class="action-buttons">
              {events.map((ev) => (
                <button type="button" class={'btn ' + (EVENTS[ev].tone === 'primary' ? 'btn-primary' : EVENTS[ev].tone === 'danger' ? 'btn-danger' : '')}
                  aria-expanded={open === ev} onClick={() => { setOpen(open === ev ? null : ev); setDone(null); setError(null); }} data-event={ev}>
                  {label('ev', ev)}
                </button>
              ))}
            </div>
            {open && (
              <EventForm key={open} event={open} dossier={dossier} etag={etag}
                onCancel={() => setOpen(null)}
                onError={(e) => setError(e)}
                onDone={(d) => {
                  setOpen(null);
                  setDone(t('action_done', { event: label('ev', open), state: label('state', d?.state ?? dossier.state) }));
                  load();
                }} />
            )}
            {canAttach && <UploadForm dossier={dossier} onError={setError} onDone={(name) => { setDone(t('doc_uploaded', { name })); load(); }} />}
          </section>

          <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title">{t('facts')}</h2>
            <dl class="facts">
              {facts.map(([k, v]) => (
                <div><dt>{t(k)}</dt><dd>{v}</dd></div>
              ))}
            </dl>
          </section>

          <section class="card" aria-labelledby="docs-title">
            <h2 id="docs-title">{t('documents')}</h2>
            {(dossier.documents ?? []).length === 0 ? <p class="muted">{t('documents_none')}</p> : (
              <table class="list">
                <thead><tr><th scope="col">{t('doc_kind')}</th><th scope="col">{t('doc_name')}</th><th scope="col">{t('doc_size')}</th><th scope="col">{t('doc_hash')}</th></tr></thead>
                <tbody>
                  {dossier.documents!.map((d) => (
                    <tr>
                      <td data-label={t('doc_kind')}>{kindName(d.kind)}</td>
                      <td data-label={t('doc_name')}><a href={'/api/v1/documents/' + d.sha256} download={d.name}>{d.name}</a></td>
                      <td data-label={t('doc_size')}>{size(d.bytes)}</td>
                      <td data-label={t('doc_hash')}><code class="hash" title={d.sha256}>{d.sha256.slice(0, 16)}…</code></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          {dossier.scoresheets && (dossier.scoresheets.length > 0 || dossier.level === 'province' || dossier.level === 'central') && (
            <section class="card" aria-labelledby="sheets-title">
              <h2 id="sheets-title">{t('scoresheets')}</h2>
              <CouncilSummary level={dossier.level} totals={dossier.scoresheets.map((s) => s.total)} />
              {dossier.scoresheets.length === 0 ? <p class="muted">{t('scoresheets_none')}</p> : (
                <table class="list">
                  <thead><tr><th scope="col">{t('sheet_member')}</th><th scope="col">A</th><th scope="col">B</th><th scope="col">C</th><th scope="col">{t('sheet_total')}</th></tr></thead>
                  <tbody>
                    {dossier.scoresheets.map((s) => (
                      <tr><td data-label={t('sheet_member')}>{s.member}</td><td data-label="A">{formatNumber(s.A, lang())}</td><td data-label="B">{formatNumber(s.B, lang())}</td><td data-label="C">{formatNumber(s.C, lang())}</td><td data-label={t('sheet_total')}>{formatNumber(s.total, lang())}</td></tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          )}
        </div>

        <section class="card" aria-labelledby="tl-title">
          <h2 id="tl-title">{t('timeline')}</h2>
          {!history || history.length === 0 ? <p class="muted">{t('timeline_none')}</p> : (
            <ol class="timeline" data-testid="timeline">
              {[...history].reverse().map((r) => <TimelineItem r={r} />)}
            </ol>
          )}
        </section>
      </div>
    </section>
  );
}

function CouncilSummary({ level, totals }: { level: string; totals: number[] }) {
  const c = councilSummary(totals, quorum(level), bands());
  return (
    <p class={c.quorumMet ? 'council ok' : 'council'} data-testid="council-summary">
      {t('council_sheets', { n: c.sheets, quorum: c.quorum })}
      {' · '}{c.quorumMet ? t('council_quorum_met') : t('council_quorum_missing', { missing: c.quorum - c.sheets })}
      {c.average !== null && <> · {t('council_average')}: <strong>{formatNumber(c.average, lang())}</strong> ({t('score_band_value', { stars: c.stars ?? 0 })})</>}
    </p>
  );
}

function TimelineItem({ r }: { r: AuditRecord }) {
  const data = (r.data && typeof r.data === 'object' ? r.data : {}) as Record<string, unknown>;
  const missing = Array.isArray(data.missing) ? (data.missing as string[]).map((k) => kindName(k)).join(', ') : '';
  return (
    <li>
      <div class="tl-head">
        <strong>{label('ev', r.event)}</strong>
        <time dateTime={r.at}>{formatDateTime(r.at)}</time>
      </div>
      <div class="tl-meta">
        {t('tl_by', { actor: r.actor })}{r.role ? ` (${label('role', r.role)})` : ''}
        {r.from !== r.to && r.to && <> · {label('state', r.from) || '∅'} → {label('state', r.to)}</>}
      </div>
      {typeof data.reason === 'string' && <p>{t('tl_reason', { reason: data.reason })}</p>}
      {missing && <p>{t('tl_missing', { missing })}</p>}
      {typeof data.note === 'string' && <p>{t('tl_note', { note: data.note })}</p>}
      {r.event === 'score' && typeof data.A === 'number' && (
        <p>A {formatNumber(data.A as number, lang())} · B {formatNumber(data.B as number, lang())} · C {formatNumber(data.C as number, lang())}</p>
      )}
      {typeof data.decision_no === 'string' && <p>{t('tl_decision', { no: data.decision_no, date: formatDate(String(data.decision_date ?? '')) })}</p>}
    </li>
  );
}

function fieldLabel(f: Field): string {
  return t(('field_' + f.name) as Key);
}

function EventForm({ event, dossier, etag, onCancel, onError, onDone }: {
  event: string; dossier: Dossier; etag: string | null;
  onCancel: () => void; onError: (e: unknown) => void; onDone: (d: Dossier | undefined) => void;
}) {
  const spec = EVENTS[event];
  const [values, setValues] = useState<Record<string, string>>({});
  const [lists, setLists] = useState<Record<string, string[]>>({});
  const [score, setScore] = useState<{ A?: number; B?: number; C?: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey); // one key per form: a repeated click is the same request

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const data: Record<string, unknown> = {};
    for (const f of spec.fields) {
      if (f.kind === 'score') {
        if (!score) return setProblem(t('score_incomplete'));
        Object.assign(data, score);
        continue;
      }
      if (f.kind === 'kinds' || f.kind === 'criteria') {
        if (f.kind === 'kinds' || (lists[f.name] ?? []).length) data[f.name] = lists[f.name] ?? [];
        continue;
      }
      const v = (values[f.name] ?? '').trim();
      if (!v) {
        if (f.required) return setProblem(t('form_missing_field', { field: fieldLabel(f) }));
        continue;
      }
      if (f.kind === 'locality') {
        const loc: Record<string, number> = {};
        for (const line of v.split('\n')) {
          const m = /^\s*([^=]+?)\s*=\s*([\d.,]+)\s*$/.exec(line);
          if (m) loc[m[1]] = Number(m[2].replace(',', '.'));
        }
        data.locality = loc;
        continue;
      }
      data[f.name] = v;
    }
    setBusy(true);
    onError(null);
    try {
      const r = await api.fire(event, dossier.id, data, spec.unversioned ? null : etag, key);
      onDone(r.data);
    } catch (err) {
      onError(err);
      if (err instanceof ApiError && err.status === 412) onCancel();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form event-form" onSubmit={submit} aria-label={label('ev', event)} data-form={event}>
      <h3>{label('ev', event)}</h3>
      {spec.fields.map((f) => {
        const id = `f-${event}-${f.name}`;
        const set = (v: string) => setValues({ ...values, [f.name]: v });
        const req = f.required ? <span class="req"> {t('field_required')}</span> : null;
        if (f.kind === 'score') return <ScoreInput onChange={setScore} />;
        if (f.kind === 'kinds' || f.kind === 'criteria') {
          const options = f.kind === 'kinds' ? config().document_kinds.map((k) => k.kind) : ['food_safety', 'traceability'];
          const chosen = lists[f.name] ?? [];
          return (
            <fieldset>
              <legend>{fieldLabel(f)}</legend>
              {options.map((o) => (
                <label class="check">
                  <input type="checkbox" name={f.name} value={o} checked={chosen.includes(o)}
                    onChange={(e) => setLists({ ...lists, [f.name]: (e.currentTarget as HTMLInputElement).checked ? [...chosen, o] : chosen.filter((x) => x !== o) })} />
                  {f.kind === 'kinds' ? kindName(o) : label('crit', o)}
                </label>
              ))}
            </fieldset>
          );
        }
        if (f.kind === 'choice')
          return (
            <label for={id}>
              <span>{fieldLabel(f)}{req}</span>
              <select id={id} name={f.name} value={values[f.name] ?? ''} onChange={(e) => set((e.currentTarget as HTMLSelectElement).value)}>
                <option value=""></option>
                {f.choices!.map((c) => <option value={c}>{label('reg', c)}</option>)}
              </select>
            </label>
          );
        if (f.kind === 'textarea' || f.kind === 'locality')
          return (
            <label for={id}>
              <span>{fieldLabel(f)}{req}</span>
              <textarea id={id} name={f.name} rows={3} value={values[f.name] ?? ''} onInput={(e) => set((e.currentTarget as HTMLTextAreaElement).value)} />
            </label>
          );
        return (
          <label for={id}>
            <span>{fieldLabel(f)}{req}</span>
            <input id={id} name={f.name} type={f.kind === 'date' ? 'date' : 'text'} value={values[f.name] ?? ''}
              onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} />
          </label>
        );
      })}
      {problem && <p class="alert alert-error" role="alert">{problem}</p>}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy} data-submit={event}>{label('ev', event)}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('action_cancel')}</button>
      </div>
    </form>
  );
}

function UploadForm({ dossier, onError, onDone }: { dossier: Dossier; onError: (e: unknown) => void; onDone: (name: string) => void }) {
  const [kind, setKind] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const submit = async (e: Event) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem('file') as HTMLInputElement;
    const file = input.files?.[0];
    if (!file || !kind) return;
    setBusy(true);
    onError(null);
    try {
      await api.upload(dossier.id, kind, file, null, key); // a document does not depend on the page's version
      setKey(newKey());
      input.value = '';
      onDone(file.name);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="upload">
      <summary>{t('doc_upload')}</summary>
      <form class="form" onSubmit={submit}>
        <label>
          <span>{t('doc_kind')}</span>
          <select name="kind" value={kind} required onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
            <option value=""></option>
            {config().document_kinds.map((k) => <option value={k.kind}>{kindName(k.kind)}</option>)}
          </select>
        </label>
        <label>
          <span>{t('doc_file')}</span>
          <input type="file" name="file" required />
        </label>
        <button type="submit" class="btn" disabled={busy}>{t('doc_upload')}</button>
      </form>
    </details>
  );
}

export { formatDate };
