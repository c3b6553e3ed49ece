import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PdfJob, PdfReply } from './pdf-worker.ts';

/**
 * PDFs are drawn on a small pool of worker threads, never on the main thread: pdfkit's layout is
 * synchronous, so one big evidence pack or timeline drawn in place held the event loop (and
 * /healthz, and every other school's requests) for as long as it took. Workers start on first
 * use and do not keep the process alive while idle.
 */
const POOL_SIZE = Math.min(2, Math.max(1, availableParallelism() - 1));
/** A document still drawing after this long is given up (its worker is ended and replaced). */
const DRAW_LIMIT_MS = 120_000;

interface Pending extends PdfJob {
  resolve: (pdf: Buffer) => void;
  reject: (error: Error) => void;
}

/** The worker's entry: its .ts source through tsx's loader when we run from source, the .js as built. */
function startWorker(): Worker {
  const entry = new URL(siblingModule(import.meta.url, './pdf-worker'));
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  // Node 20 applies no --import loader to a worker's own entry file: register tsx, then import it.
  const require = createRequire(import.meta.url);
  const tsxDir = dirname(require.resolve('tsx/package.json'));
  const tsxApi = (JSON.parse(readFileSync(join(tsxDir, 'package.json'), 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const api = pathToFileURL(join(tsxDir, tsxApi)).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true });
}

class PdfPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, { job: Pending; timer: NodeJS.Timeout }>();
  private readonly queue: Pending[] = [];
  private nextId = 1;

  run(module: string, name: string, args: unknown[]): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, module, name, args, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch() {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.idle.length + this.busy.size < POOL_SIZE ? this.spawn() : null);
      if (!worker) return;
      const job = this.queue.shift()!;
      const timer = setTimeout(() => {
        job.reject(new Error(`the PDF took longer than ${DRAW_LIMIT_MS / 1000} s to draw and was given up`));
        void worker.terminate();
      }, DRAW_LIMIT_MS);
      this.busy.set(worker, { job, timer });
      worker.ref();
      worker.postMessage({ id: job.id, module: job.module, name: job.name, args: job.args } satisfies PdfJob);
    }
  }

  private spawn(): Worker {
    const worker = startWorker();
    worker.on('message', (reply: PdfReply) => {
      const running = this.busy.get(worker);
      if (!running || running.job.id !== reply.id) return;
      this.finish(worker);
      if ('error' in reply) running.job.reject(new Error(reply.error));
      else running.job.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      worker.unref();
      this.idle.push(worker);
      this.dispatch();
    });
    // A worker that dies (out of memory, ended past the limit) fails its document, and is replaced on the next one.
    const lost = (error: Error) => {
      const running = this.busy.get(worker);
      this.finish(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      running?.job.reject(error);
      this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the PDF worker stopped (exit code ${code})`)));
    return worker;
  }

  private finish(worker: Worker) {
    const running = this.busy.get(worker);
    if (running) clearTimeout(running.timer);
    this.busy.delete(worker);
  }
}

let pool: PdfPool | null = null;

/**
 * Calls `name` exported by `module` (a file URL; see `siblingModule`) with `args` on a worker
 * thread and resolves with the PDF it draws. Arguments cross by structured clone: plain data only.
 */
export function drawOffThread(module: string, name: string, args: unknown[]): Promise<Buffer> {
  return (pool ??= new PdfPool()).run(module, name, args);
}

/** The URL of a module beside `from` (an import.meta.url), with the same extension: .ts from source, .js as built. */
export function siblingModule(from: string, path: string): string {
  return new URL(`${path}${from.endsWith('.ts') ? '.ts' : '.js'}`, from).href;
}

/** A printable A4 PDF of a letter, email or evidence pack's HTML (letters/pdf.ts), drawn off the main thread. */
export function letterPdf(html: string, meta: { title: string; author: string }, options: { envelope?: string[] | null } = {}): Promise<Buffer> {
  return drawOffThread(siblingModule(import.meta.url, './pdf'), 'htmlToPdf', [html, meta, options]);
}
