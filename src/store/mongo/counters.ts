// Sequence numbers made by the server, not by a client's clock or ObjectIds: one document per
// sequence in `counters`, advanced atomically by the block a write needs.
import type { mongo } from 'mongoose';

export const COUNTERS_COLLECTION = 'counters';

/** Takes `n` numbers of the sequence `name`; returns the first (the block is first … first + n − 1). */
export async function takeSeqs(db: mongo.Db, name: string, n: number, session?: mongo.ClientSession): Promise<number> {
  const doc = await db
    .collection<{ _id: string; seq: number }>(COUNTERS_COLLECTION)
    .findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after', ...(session ? { session } : {}) });
  return doc!.seq - n + 1;
}
