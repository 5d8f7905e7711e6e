// The control API's endpoints for managing models (see manage-contract.ts): templates, sizing, add with a progress
// stream, edit, adopt and remove. Mounted before the other routes when Siesta has a model manager.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ManagedYamlError } from '../config/managed-yaml';
import { AddModelError, type AddModelErrorCode } from '../manage/add-model-error';
import { planAddModel } from '../manage/add-plan';
import type { ModelManager } from '../manage/model-manager';
import { parseParamCount } from '../sizing/model-catalog';
import { estimateCheck } from '../sizing/estimate-check';
import { precisionInfo } from '../templates/precision';
import { modelFacts, rightSize } from '../sizing/vram-estimate';
import { findTemplate, MODEL_TEMPLATES } from '../templates/model-templates';
import { ApiHttpError, parseOrThrow, sendJson, toApiHttpError } from './api-error';
import type { ApiErrorCode } from './contract';
import {
  AddModelBodySchema,
  AdoptBodySchema,
  EditSettingsBodySchema,
  RemoveBodySchema,
  SizingRequestSchema,
  type AddProgressLine,
  type SizingResponse,
  type TemplateView,
} from './manage-contract';
import { readJsonBody } from './request-body';

const STATUS: Readonly<Record<AddModelErrorCode, [number, ApiErrorCode]>> = {
  invalid: [400, 'invalid-request'],
  'unknown-template': [400, 'invalid-request'],
  'name-taken': [409, 'conflict'],
  'port-taken': [409, 'conflict'],
  'cannot-fit': [507, 'never-fits'],
  'image-missing': [400, 'invalid-request'],
  'pull-failed': [502, 'unavailable'],
  engine: [503, 'unavailable'],
};

/** Maps the manager's errors to the envelope. */
export function manageHttpError(error: unknown): ApiHttpError {
  if (error instanceof AddModelError) {
    const [status, code] = STATUS[error.code];
    return new ApiHttpError(status, code, error.message, error.field ?? undefined);
  }
  if (error instanceof ManagedYamlError)
    return new ApiHttpError(400, 'invalid-request', error.message, error.field ?? undefined);
  return toApiHttpError(error);
}

function templateViews(): TemplateView[] {
  return MODEL_TEMPLATES.map((t) => ({
    id: t.id,
    title: t.title,
    kind: t.kind,
    image: t.image,
    precisions: t.precisions.map((p) => ({
      id: p,
      label: precisionInfo(p).label,
      qualityNote: precisionInfo(p).qualityNote,
    })),
    needsModelId: t.needsModelId,
    modelIdExample: t.modelIdExample,
    takesContext: t.takesContext,
  }));
}

function nameOf(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw new ApiHttpError(
      400,
      'invalid-request',
      'name: the model name in the path is not valid percent-encoding',
      'name',
    );
  }
}

/** Handles a managing request; resolves false when the path is not one of these endpoints. */
export function manageRoutes(
  manager: ModelManager,
  /** A model's learned VRAM, or null before it was measured. */
  measuredVram: (name: string) => number | null,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const method = (req: IncomingMessage, url: URL, allowed: string): void => {
    if (req.method !== allowed)
      throw new ApiHttpError(
        405,
        'method-not-allowed',
        `${req.method ?? '?'} ${url.pathname}: expected ${allowed}`,
        undefined,
        { Allow: allowed },
      );
  };

  return async (req, res, url) => {
    const path = url.pathname;
    try {
      if (path === '/api/templates') {
        method(req, url, 'GET');
        sendJson(res, 200, { templates: templateViews() });
        return true;
      }
      if (path === '/api/sizing') {
        method(req, url, 'POST');
        const body = parseOrThrow(SizingRequestSchema, await readJsonBody(req), 'body');
        const template = findTemplate(body.template);
        if (!template)
          throw new AddModelError('unknown-template', 'template', `no template "${body.template}"`);
        const params = body.params === undefined ? null : parseParamCount(body.params);
        if (body.params !== undefined && params === null)
          throw new AddModelError(
            'invalid',
            'params',
            `expected a parameter count like 8B or 335M, got "${body.params}"`,
          );
        const facts = modelFacts(body.modelId, params);
        const gpus = manager.gpus();
        const report =
          facts === null ? null : rightSize(facts, template, body.contextTokens ?? 8192, gpus);
        const answer: SizingResponse = {
          gpuCount: gpus.length,
          sizing:
            report === null
              ? null
              : {
                  title: report.facts.title,
                  paramCount: report.facts.paramCount,
                  contextTokens: report.contextTokens,
                  recommended: report.recommended,
                  recommendedFitsNow: report.recommendedFitsNow,
                  qualityNote: report.qualityNote,
                  options: report.options.map((o) => ({
                    ...o.estimate,
                    label: precisionInfo(o.estimate.precision).label,
                    fitsNowOn: [...o.fitsNowOn],
                    fitsOn: [...o.fitsOn],
                  })),
                },
        };
        sendJson(res, 200, answer);
        return true;
      }
      if (path === '/api/models') {
        method(req, url, 'POST');
        const { pull, ...request } = parseOrThrow(
          AddModelBodySchema,
          await readJsonBody(req),
          'body',
        );
        // Input errors answer 400 before the stream starts; what fails later arrives as an `error` line.
        planAddModel(request, manager.gpus());
        res.writeHead(200, {
          'Content-Type': 'application/x-ndjson; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        const send = (line: AddProgressLine): void => void res.write(`${JSON.stringify(line)}\n`);
        try {
          await manager.add(request, pull ?? 'missing', (p) => {
            if (p.step === 'planned')
              send({
                type: 'planned',
                precision: p.plan.precision,
                image: p.plan.image,
                estimateBytes: p.plan.estimate?.totalBytes ?? null,
              });
            else if (p.step === 'pull')
              send({
                type: 'pull',
                layers: [...p.progress.layers],
                currentBytes: p.progress.currentBytes,
                totalBytes: p.progress.totalBytes,
              });
            else if (p.step === 'image-ready') send({ type: 'image-ready', pulled: p.pulled });
            else send({ type: 'created', model: request.name, containerId: p.containerId });
          });
        } catch (error: unknown) {
          send({ type: 'error', error: manageHttpError(error).body().error });
        }
        res.end();
        return true;
      }
      if (path === '/api/adopt') {
        method(req, url, 'POST');
        const { container, mode, ...fields } = parseOrThrow(
          AdoptBodySchema,
          await readJsonBody(req),
          'body',
        );
        sendJson(res, 200, await manager.adopt(container, mode, fields));
        return true;
      }
      const settings = /^\/api\/models\/([^/]+)\/settings$/.exec(path);
      if (settings) {
        method(req, url, 'PUT');
        const body = parseOrThrow(EditSettingsBodySchema, await readJsonBody(req), 'body');
        sendJson(res, 200, await manager.edit(nameOf(settings[1]), body));
        return true;
      }
      const estimate = /^\/api\/models\/([^/]+)\/estimate$/.exec(path);
      if (estimate) {
        method(req, url, 'GET');
        const name = nameOf(estimate[1]);
        const measured = measuredVram(name);
        sendJson(res, 200, estimateCheck(await manager.estimateOf(name), measured));
        return true;
      }
      const remove = /^\/api\/models\/([^/]+)\/remove$/.exec(path);
      if (remove) {
        method(req, url, 'POST');
        const body = parseOrThrow(RemoveBodySchema, await readJsonBody(req), 'body');
        sendJson(res, 200, await manager.remove(nameOf(remove[1]), body.removeContainer === true));
        return true;
      }
      return false;
    } catch (error: unknown) {
      throw manageHttpError(error);
    }
  };
}
