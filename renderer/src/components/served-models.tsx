// The models of an Ollama server, listed on its card: each one it has, whether it is loaded now, the VRAM it holds,
// and a button that unloads a loaded one inside the server (the server stays up).
import { useState } from 'react';
import type { ReactElement } from 'react';
import type { ServedModelView } from '../../../main/core/api/contract';
import { ModelActionResponseSchema } from '../../../main/core/api/contract';
import { ApiCallError, callApi } from '../api-client';
import { formatAgo, formatBytes } from '../../../main/core/client/format';

/** The list under a server's facts. */
export function ServedModels({
  server,
  awake,
  models,
  now,
}: {
  readonly server: string;
  readonly awake: boolean;
  readonly models: readonly ServedModelView[];
  readonly now: number;
}): ReactElement {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (models.length === 0)
    return (
      <p className="small muted served-none">
        Its models are listed once it has been awake (Siesta reads its /api/tags then).
      </p>
    );
  const unload = (model: string): void => {
    setBusy(model);
    setError(null);
    callApi('POST', `/api/models/${encodeURIComponent(server)}/unload`, ModelActionResponseSchema, {
      model,
    })
      .catch((e: unknown) => setError(e instanceof ApiCallError ? e.message : String(e)))
      .finally(() => setBusy(null));
  };
  return (
    <>
      <ul className="served-models" aria-label={`Models of ${server}`}>
        {models.map((m) => (
          <li key={m.name} data-loaded={m.loaded} aria-label={`${m.name} in ${server}`}>
            <span className="served-name">{m.name}</span>{' '}
            <span className="muted">
              {m.loaded ? `loaded · ${formatBytes(m.vramBytes)} VRAM` : 'not loaded'}
              {m.lastUsedAt !== null ? ` · used ${formatAgo(m.lastUsedAt, now)}` : ''}
            </span>
            {awake && m.loaded ? (
              <button
                type="button"
                className="secondary small"
                aria-label={`Unload ${m.name} from ${server}`}
                disabled={busy !== null}
                onClick={() => unload(m.name)}
              >
                Unload
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
