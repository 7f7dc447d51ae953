import { clsx, type ClassValue } from 'clsx';
import { twMerge } from 'tailwind-merge';

/** Joins class names and lets later Tailwind utilities override earlier ones. */
export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

/** Adds or removes `value` from a set kept as an ordered array (checkbox groups). */
export function toggleValue<T>(values: readonly T[], value: T, on: boolean, order: readonly T[]): T[] {
  const set = new Set(values);
  if (on) set.add(value);
  else set.delete(value);
  return order.filter((item) => set.has(item));
}
