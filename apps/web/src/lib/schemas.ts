import { z } from 'zod';

/** Form schemas shared by several pages. The server validates again; its message is shown when it refuses. */
export const emailSchema = z.string().trim().min(1, 'Enter your email address.').pipe(z.email('Enter a valid email address.'));
export const newPasswordSchema = z
  .string()
  .min(8, 'Use at least 8 characters.')
  .max(256, 'At most 256 characters.');
export const nameSchema = z.string().trim().min(1, 'Enter a name.').max(100, 'At most 100 characters.');
export const otpSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app.');
