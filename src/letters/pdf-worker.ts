import { parentPort } from 'node:worker_threads';

/**
 * One PDF at a time, off the service's main thread (see pdf-pool.ts): call the named drawing
 * function of the named module and send back its bytes, or why it failed.
 */
export interface PdfJob {
  id: number;
  module: string;
  name: string;
  args: unknown[];
}

export type PdfReply = { id: number; pdf: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs as a worker thread, started by pdf-pool.ts');

port.on('message', (job: PdfJob) => {
  void (async (): Promise<PdfReply> => {
    try {
      const draw = ((await import(job.module)) as Record<string, unknown>)[job.name];
      if (typeof draw !== 'function') throw new Error(`${job.module} has no ${job.name} to draw a PDF with`);
      return { id: job.id, pdf: (await draw(...job.args)) as Uint8Array };
    } catch (error) {
      return { id: job.id, error: error instanceof Error ? error.message : String(error) };
    }
  })().then((reply) => port.postMessage(reply));
});
