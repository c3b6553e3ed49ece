import type { MessagePageFilter, MessageSummary } from '../types.ts';
import { toMessage, type MessageDoc, type Models } from './models.ts';
import { text } from './values.ts';

/** A page of the messages of some schools and some cases, newest first, without their bodies. */
export async function listMessagePage(messages: Models['messages'], filter: MessagePageFilter): Promise<{ total: number; messages: MessageSummary[] }> {
  const match = { $or: [{ schoolId: { $in: filter.schoolIds.map(text) } }, { caseId: { $in: filter.caseIds.map(text) } }] };
  const [result] = await messages.aggregate<{ total: { n: number }[]; page: (Omit<MessageDoc, 'raw' | 'pdf'> & { hasPdf: boolean })[] }>([
    { $match: match },
    {
      $facet: {
        total: [{ $count: 'n' }],
        page: [
          { $sort: { createdAt: -1, _id: -1 } },
          { $skip: filter.offset },
          { $limit: filter.limit },
          // The bodies never leave the database for a list.
          { $addFields: { hasPdf: { $ne: [{ $ifNull: ['$pdf', null] }, null] } } },
          { $project: { raw: 0, pdf: 0 } },
        ],
      },
    },
  ]);
  return {
    total: result?.total[0]?.n ?? 0,
    messages: (result?.page ?? []).map(({ hasPdf, ...doc }) => {
      const { raw: _raw, pdf: _pdf, ...message } = toMessage({ ...doc, raw: null, pdf: null });
      return { ...message, hasPdf };
    }),
  };
}
