import { z } from 'zod';

export const emailSchema = z.email('must be an email address').max(254).transform((value) => value.toLowerCase());
export const passwordSchema = z.string().min(8, 'must have at least 8 characters').max(256);
export const personNameSchema = z.string().trim().min(1, 'must not be empty').max(100);

export const sessionUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  isAdmin: z.boolean(),
  twoFactorEnabled: z.boolean(),
});

export const signInResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-in'), user: sessionUserSchema }),
  z.object({ status: z.literal('two-factor-required') }),
]);

export const loginBody = z.strictObject({ email: emailSchema, password: z.string().min(1).max(256) });

export const twoFactorLoginBody = z
  .strictObject({
    code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app').optional(),
    recoveryCode: z.string().trim().min(4).max(64).optional(),
  })
  .refine((body) => Boolean(body.code) !== Boolean(body.recoveryCode), { message: 'send either code or recoveryCode' });

export const changePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema });
export const passwordBody = z.strictObject({ password: z.string().min(1).max(256) });
export const totpCodeBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be a 6-digit code') });

export const sessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});

/** A password-reset link's token, as it appears at the end of the link. */
export const resetTokenSchema = z.string().min(10).max(200);
export const resetLinkPreviewSchema = z.object({ name: z.string(), email: z.string(), expiresAt: z.string() });
export const resetPasswordBody = z.strictObject({ token: resetTokenSchema, newPassword: passwordSchema });
