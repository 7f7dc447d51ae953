import { describe, expect, it } from 'vitest';
import { qrPath } from './qr.ts';

describe('qrPath', () => {
  it('draws a square module grid with the three finder patterns', () => {
    const { size, path } = qrPath('otpauth://totp/Stead:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Stead');
    expect(size).toBeGreaterThanOrEqual(21);
    expect((size - 17) % 4).toBe(0);
    // Top-left corners of the finder patterns are always dark.
    expect(path).toContain('M0 0h1v1h-1z');
    expect(path).toContain(`M${size - 1} 0h1v1h-1z`);
    expect(path).toContain(`M0 ${size - 1}h1v1h-1z`);
    expect(path).not.toMatch(/[<>"']/);
  });
});
