// repair-claims/journal as an ES module, for Node (the same code as index.js).
import journal from './index.js';

export const { fileJournal, redisJournal, indexedDbJournal } = journal;
