import express, { type Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

// Served from the package, never a CDN: school networks often cannot reach one. The page has no
// inline script, so the Content-Security-Policy stays `script-src 'self'`.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Attendance escalation API</title><link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', withCredentials: true });\n`;

export function mountDocs(router: Router): void {
  router.get('/api/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/api/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  router.use('/api/docs/assets', express.static(getAbsoluteFSPath(), { index: false }));
}
