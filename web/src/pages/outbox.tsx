// The operators' desk: the outbox of notifications by state (dead messages first), each with its
// attempts and last error, and "retry" for a dead one (POST /api/v1/outbox/{id}/retry); running
// the scheduler's tick (dry run) and delivering now. Only operators (GET /api/v1/me: operator)
// see it in the menu; the service refuses everyone else (403), whatever the page shows.
import { useEffect, useState } from 'preact/hooks';
import { api, newKey, type OutboxMessage } from '../api';
import { t } from '../i18n';
import { formatDateTime, formatNumber, lang } from '../format-lang';
import { ErrorBox } from '../errors';
import { onLinkClick } from '../router';

const STATES = ['dead', 'pending', 'sending', 'sent'];

export function OutboxDesk({ query }: { query: URLSearchParams }) {
  const state = query.get('state') || 'dead';
  const [messages, setMessages] = useState<OutboxMessage[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [tick, setTick] = useState<string | null>(null);

  const load = () => {
    setError(null);
    api.outbox(state).then((r) => setMessages(r.data), setError);
  };
  useEffect(load, [state]);

  const retry = async (id: number) => {
    setError(null);
    try {
      await api.retry(id, newKey());
      setNote(t('outbox_retried', { id }));
      load();
    } catch (e) {
      setError(e);
    }
  };
  const dryTick = async () => {
    setError(null);
    try {
      setTick(JSON.stringify((await api.tick(true)).data, null, 2));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title">{t('outbox_title')}</h1>
      <nav class="chips" aria-label={t('outbox_state')}>
        {STATES.map((s) => (
          <a class="chip" href={'/van-hanh?state=' + s} aria-current={s === state ? 'true' : undefined}
            onClick={onLinkClick}>
            {t(('outbox_' + s) as Parameters<typeof t>[0])}
          </a>
        ))}
      </nav>
      {note && <p class="alert alert-ok" role="status">{note}</p>}
      <ErrorBox error={error} />
      {!messages && !error && <p class="loading">{t('loading')}</p>}
      {messages && (messages.length === 0 ? <p class="empty">{t('outbox_empty')}</p> : (
        <table class="list" data-testid="outbox">
          <thead><tr><th scope="col">#</th><th scope="col">{t('outbox_recipient')}</th><th scope="col">{t('outbox_subject')}</th><th scope="col">{t('outbox_attempts')}</th><th scope="col">{t('outbox_error')}</th><th scope="col"><span class="sr-only">{t('outbox_retry')}</span></th></tr></thead>
          <tbody>
            {messages.map((m) => (
              <tr>
                <td data-label="#">{m.id}<br /><small>{formatDateTime(m.created_at)}</small></td>
                <td data-label={t('outbox_recipient')}>{m.channel}: {m.recipient}</td>
                <td data-label={t('outbox_subject')}>{m.subject}{m.dossier && <><br /><small>{m.dossier}</small></>}</td>
                <td data-label={t('outbox_attempts')}>{formatNumber(m.attempts, lang())}</td>
                <td data-label={t('outbox_error')}>{m.last_error ?? ''}</td>
                <td data-label="">{m.state === 'dead' && <button type="button" class="btn" onClick={() => retry(m.id)}>{t('outbox_retry')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <section class="card" aria-labelledby="tick-title">
        <h2 id="tick-title">{t('outbox_tick')}</h2>
        <button type="button" class="btn" onClick={dryTick}>{t('outbox_tick_dry')}</button>
        {tick && <pre class="tick" tabIndex={0}>{tick}</pre>}
      </section>
    </section>
  );
}
