// repair-claims/journal in browsers: a journal in IndexedDB (see index.d.ts). No Redis and no
// file code here: those are Node's (index.js).

/**
 * A journal in IndexedDB database `name` (one object store, `journal`): a page reloaded or a tab
 * closed mid-workflow resumes where it stopped. `ifAbsent` reads and writes in one transaction,
 * which IndexedDB runs alone, so two tabs never both take a key.
 */
export function indexedDbJournal(name = 'repair-claims-journal') {
  if (typeof indexedDB === 'undefined') throw new TypeError('indexedDbJournal: this host has no IndexedDB');
  let opened;
  const database = () =>
    (opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('journal');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => {
        opened = undefined;
        reject(request.error);
      };
    }));
  // One transaction on the store: `work(store)` gives the answer, which resolves once it commits.
  const transaction = async (mode, work) => {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('journal', mode);
      let answer;
      tx.oncomplete = () => resolve(answer);
      tx.onerror = tx.onabort = () => reject(tx.error);
      work(tx.objectStore('journal'), (value) => (answer = value));
    });
  };
  const live = (entry) => (entry && typeof entry.value === 'string' && !(entry.expires <= Date.now()) ? entry : null);
  return {
    get(key) {
      return transaction('readonly', (store, answer) => {
        const request = store.get(String(key));
        request.onsuccess = () => answer(live(request.result)?.value ?? null);
      });
    },
    set(key, value, { ttlMs, ifAbsent } = {}) {
      const entry = { value: String(value), ...(ttlMs > 0 ? { expires: Date.now() + ttlMs } : {}) };
      return transaction('readwrite', (store, answer) => {
        if (!ifAbsent) {
          store.put(entry, String(key));
          answer(true);
          return;
        }
        const request = store.get(String(key));
        request.onsuccess = () => {
          if (live(request.result)) return answer(false);
          store.put(entry, String(key));
          answer(true);
        };
      });
    },
    delete(key) {
      return transaction('readwrite', (store) => store.delete(String(key)));
    },
  };
}

const nodeOnly = (name) => () => {
  throw new TypeError(`${name} is for Node (a file system, a Redis connection): in a browser, use indexedDbJournal`);
};
export const fileJournal = nodeOnly('fileJournal');
export const redisJournal = nodeOnly('redisJournal');
