/**
 * A minimal toast store. Written here instead of using a library because the popular ones inject
 * <style> elements at runtime, which a strict Content-Security-Policy (no 'unsafe-inline') blocks.
 */
export type ToastKind = 'success' | 'error' | 'info';
export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  description?: string;
}

type Listener = (toasts: readonly Toast[]) => void;

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<Listener>();
const DURATION_MS = 5_000;
const MAX_VISIBLE = 4;

function emit(): void {
  for (const listener of listeners) listener(toasts);
}

export function dismissToast(id: number): void {
  toasts = toasts.filter((toast) => toast.id !== id);
  emit();
}

function show(kind: ToastKind, title: string, description?: string): number {
  const id = nextId++;
  toasts = [...toasts, { id, kind, title, description }].slice(-MAX_VISIBLE);
  emit();
  if (typeof window !== 'undefined') window.setTimeout(() => dismissToast(id), kind === 'error' ? DURATION_MS * 2 : DURATION_MS);
  return id;
}

export const toast = {
  success: (title: string, description?: string) => show('success', title, description),
  error: (title: string, description?: string) => show('error', title, description),
  info: (title: string, description?: string) => show('info', title, description),
};

export function subscribeToasts(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getToasts(): readonly Toast[] {
  return toasts;
}
