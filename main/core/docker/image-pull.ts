// Pulls an image through the Engine API and turns the Engine's pull stream into per-layer progress, so the CLI and the
// dashboard can draw a live bar; a stream that reports an error (a layer missing, the registry gone) rejects.
import type Dockerode from 'dockerode';

/** One layer of a pull as the Engine reports it. */
export interface LayerProgress {
  /** The layer's short id, as the Engine names it. */
  readonly id: string;
  /** The Engine's words: `Waiting`, `Downloading`, `Extracting`, `Pull complete`, `Already exists`. */
  readonly status: string;
  readonly currentBytes: number;
  /** Null until the Engine knows the layer's size. */
  readonly totalBytes: number | null;
  readonly done: boolean;
}

/** The whole pull at one moment. */
export interface PullProgress {
  readonly image: string;
  readonly layers: readonly LayerProgress[];
  /** Bytes downloaded of the layers whose size is known. */
  readonly currentBytes: number;
  readonly totalBytes: number;
}

/** A pull that failed, naming the image and what the Engine or registry said. */
export class ImagePullError extends Error {
  constructor(
    readonly image: string,
    readonly reason: string,
  ) {
    super(`pulling image ${image} failed: ${reason}`);
    this.name = 'ImagePullError';
  }
}

/** One message of the Engine's pull stream (JSON lines). */
interface PullEvent {
  readonly id?: string;
  readonly status?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

const DONE_STATUSES = new Set(['Pull complete', 'Already exists', 'Download complete']);

/** Folds one pull event into the layers (pure; exported for tests of the Engine's odd messages). */
export function foldPullEvent(
  layers: ReadonlyMap<string, LayerProgress>,
  event: PullEvent,
): Map<string, LayerProgress> {
  const next = new Map(layers);
  const id = event.id;
  const status = event.status ?? '';
  // Messages without a layer id (`Pulling from …`, `Digest: …`, `Status: …`) or naming the tag are not layers.
  if (id === undefined || !/^[0-9a-f]{12}$/.test(id)) return next;
  const before = next.get(id);
  const detail = event.progressDetail ?? {};
  const downloading = status === 'Downloading';
  const done = DONE_STATUSES.has(status) || (before?.done ?? false);
  next.set(id, {
    id,
    status,
    currentBytes:
      downloading && typeof detail.current === 'number'
        ? detail.current
        : done && before?.totalBytes != null
          ? before.totalBytes
          : (before?.currentBytes ?? 0),
    totalBytes:
      downloading && typeof detail.total === 'number' && detail.total > 0
        ? detail.total
        : (before?.totalBytes ?? null),
    done,
  });
  return next;
}

/** The progress the layers add up to. */
export function pullProgressOf(
  image: string,
  layers: ReadonlyMap<string, LayerProgress>,
): PullProgress {
  const list = [...layers.values()];
  const sized = list.filter((l) => l.totalBytes !== null);
  return {
    image,
    layers: list,
    currentBytes: sized.reduce((sum, l) => sum + l.currentBytes, 0),
    totalBytes: sized.reduce((sum, l) => sum + (l.totalBytes ?? 0), 0),
  };
}

/** Whether the Engine has the image already. */
export async function hasImage(docker: Dockerode, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error: unknown) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** Pulls `image`, calling `onProgress` for each message of the Engine's stream; rejects with `ImagePullError`. */
export async function pullImage(
  docker: Dockerode,
  image: string,
  onProgress: (progress: PullProgress) => void,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(image);
  } catch (error: unknown) {
    throw new ImagePullError(image, engineMessage(error));
  }
  let layers = new Map<string, LayerProgress>();
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: readonly PullEvent[]) => {
        const failed = events.find((e) => e.error !== undefined);
        const message = error?.message ?? failed?.errorDetail?.message ?? failed?.error;
        if (message === undefined) return resolve();
        // Say how far it got: a pull that fails midway has its manifest and some layers already.
        const list = [...layers.values()];
        const where =
          list.length === 0
            ? ''
            : ` (after ${list.filter((l) => l.done).length} of ${list.length} layers)`;
        reject(new ImagePullError(image, `${message}${where}`));
      },
      (event: PullEvent) => {
        if (event.error !== undefined) return;
        layers = foldPullEvent(layers, event);
        onProgress(pullProgressOf(image, layers));
      },
    );
  });
}

/** The Engine's own message from a dockerode error (`(HTTP code 404) … - message`), without the HTTP prefix. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } }).json;
  if (json && typeof json.message === 'string') return json.message;
  return error instanceof Error
    ? error.message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '')
    : String(error);
}
