import { type FSWatcher, watch } from 'node:fs';

/**
 * Calls `onChange` once the corpus directory has been quiet for `debounceMs` after any file in it was
 * added, changed, renamed or deleted. Temporary files (dot-files, `~` backups) do not count, so an
 * atomic upload (temp file, then rename) triggers once.
 */
export function watchCorpus(
  dir: string,
  options: { debounceMs: number; onChange: (files: string[]) => void },
): { close(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed = new Set<string>();
  const watcher: FSWatcher = watch(dir, { persistent: true }, (_event, name) => {
    const file = name?.toString() ?? '';
    if (file.startsWith('.') || file.endsWith('~') || file.endsWith('.tmp')) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed = new Set();
      options.onChange(files);
    }, options.debounceMs);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
