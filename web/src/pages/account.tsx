// The signed-in user's own account: their sessions in force (this one marked) and their API
// tokens, revoking a token, and signing out everywhere. Over GET /api/v1/me/sessions,
// GET /api/v1/me/tokens, DELETE /api/v1/me/tokens/{id} and DELETE /api/v1/sessions: the engine
// lets a user see and revoke only their own (another's token is "not found"), and records each
// revocation and "sign out everywhere" in the audit trail.
import { useEffect, useState } from 'preact/hooks';
import { api, type SessionInfo, type TokenInfo } from '../api';
import { t } from '../i18n';
import { formatDateTime } from '../format-lang';
import { ErrorBox } from '../errors';

export function AccountPage() {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = () => {
    setError(null);
    Promise.all([api.mySessions(), api.myTokens()]).then(
      ([s, k]) => {
        setSessions(s.data);
        setTokens(k.data);
      },
      setError,
    );
  };
  useEffect(load, []);

  const revoke = async (id: string) => {
    setError(null);
    setNote(null);
    try {
      await api.revokeToken(id);
      setConfirming(null);
      setNote(t('account_token_revoked', { id }));
      load();
    } catch (e) {
      setError(e);
    }
  };
  const everywhere = async () => {
    setError(null);
    try {
      await api.signOutEverywhere();
      window.location.assign('/'); // every session ended, this one too: back to signing in
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{t('account_title')}</h1>
      <p class="lead">{t('account_lead')}</p>
      <ErrorBox error={error} />
      {note && <p class="alert alert-ok" role="status" data-testid="account-note">{note}</p>}

      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('account_sessions')}</h2>
        {!sessions ? <p class="loading">{t('loading')}</p> : sessions.length === 0 ? <p class="muted">{t('account_none')}</p> : (
          <table class="list" data-testid="sessions">
            <thead>
              <tr>
                <th scope="col">{t('account_session')}</th>
                <th scope="col">{t('account_created')}</th>
                <th scope="col">{t('account_last_seen')}</th>
                <th scope="col">{t('account_expires')}</th>
                <th scope="col">{t('account_address')}</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr data-session={s.id} class={s.current ? 'current' : ''}>
                  <td data-label={t('account_session')}>
                    <code>{s.id}</code>
                    {s.current && <> <span class="badge">{t('account_this_session')}</span></>}
                    {s.second_factor && <> <span class="badge badge-quiet">{t('account_second_factor')}</span></>}
                  </td>
                  <td data-label={t('account_created')}>{formatDateTime(s.created)}</td>
                  <td data-label={t('account_last_seen')}>{formatDateTime(s.last_seen)}</td>
                  <td data-label={t('account_expires')}>{formatDateTime(s.expires)}</td>
                  <td data-label={t('account_address')}>{s.address || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <button type="button" class="btn btn-danger" onClick={everywhere} data-testid="signout-everywhere">
            {t('account_signout_everywhere')}
          </button>
        </p>
        <p class="muted">{t('account_signout_everywhere_hint')}</p>
      </section>

      <section class="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">{t('account_tokens')}</h2>
        <p class="muted">{t('account_tokens_hint')}</p>
        {!tokens ? <p class="loading">{t('loading')}</p> : tokens.length === 0 ? <p class="muted" data-testid="no-tokens">{t('account_none')}</p> : (
          <table class="list" data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">{t('account_token')}</th>
                <th scope="col">{t('account_note')}</th>
                <th scope="col">{t('account_created')}</th>
                <th scope="col">{t('account_expires')}</th>
                <th scope="col">{t('account_state')}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((k) => (
                <tr data-token={k.id}>
                  <td data-label={t('account_token')}><code>{k.id}</code></td>
                  <td data-label={t('account_note')}>{k.note || '–'}</td>
                  <td data-label={t('account_created')}>{formatDateTime(k.created)}</td>
                  <td data-label={t('account_expires')}>{formatDateTime(k.expires)}</td>
                  <td data-label={t('account_state')}>
                    {k.revoked ? <span class="badge badge-quiet">{t('account_revoked')}</span> : confirming === k.id ? (
                      <span class="confirm">
                        <button type="button" class="btn btn-danger" onClick={() => revoke(k.id)}>{t('account_revoke_confirm')}</button>{' '}
                        <button type="button" class="btn" onClick={() => setConfirming(null)}>{t('action_cancel')}</button>
                      </span>
                    ) : (
                      <button type="button" class="btn" onClick={() => setConfirming(k.id)} aria-label={t('account_revoke_named', { id: k.id })}>
                        {t('account_revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
