import type { Handler } from './context'
import { deleteBlob, getBlob } from './handlers/blobs'
import { getCatalog, getTags } from './handlers/listing'
import { deleteManifest, getManifest, putManifest } from './handlers/manifests'
import { getReferrers } from './handlers/referrers'
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './handlers/uploads'

/*
 * The registry's routes, as Distribution names them (registry/api/v2/routes.go), plus referrers.
 * Patterns run on the raw path; `(.+)` is the repository name (validated afterwards), the last group
 * the reference, digest or upload id. Order matters: uploads before blobs.
 */
export interface Route {
  name: string
  pattern: RegExp
  /** Whether the first group is a repository name. */
  named: boolean
  methods: Partial<Record<string, Handler>>
}

const base: Handler = async (ctx) => {
  ctx.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': 2 })
  ctx.res.end(ctx.head ? undefined : '{}')
}

export const ROUTES: Route[] = [
  { name: 'base', pattern: /^\/v2\/?$/, named: false, methods: { GET: base } },
  { name: 'catalog', pattern: /^\/v2\/_catalog$/, named: false, methods: { GET: getCatalog } },
  { name: 'tags', pattern: /^\/v2\/(.+)\/tags\/list$/, named: true, methods: { GET: getTags } },
  {
    name: 'manifest',
    pattern: /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    named: true,
    methods: { GET: getManifest, PUT: putManifest, DELETE: deleteManifest }
  },
  { name: 'blob-upload', pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/, named: true, methods: { POST: startUpload } },
  {
    name: 'blob-upload-chunk',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    named: true,
    methods: { GET: uploadStatus, PATCH: patchUpload, PUT: finishUpload, DELETE: cancelUpload }
  },
  { name: 'blob', pattern: /^\/v2\/(.+)\/blobs\/([^/]+)$/, named: true, methods: { GET: getBlob, DELETE: deleteBlob } },
  { name: 'referrers', pattern: /^\/v2\/(.+)\/referrers\/([^/]+)$/, named: true, methods: { GET: getReferrers } }
]

export function allowedMethods(route: Route): string[] {
  const methods = Object.keys(route.methods)
  return route.methods.GET ? [...methods, 'HEAD'] : methods
}
