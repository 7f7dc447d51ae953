import QRCode from 'qrcode';

/**
 * SVG path data for a QR code, one 1×1 square per dark module. Rendered as a React <svg>, so no data: URL
 * or innerHTML is needed (both would need CSP exceptions).
 */
export function qrPath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (modules.get(row, column)) parts.push(`M${column} ${row}h1v1h-1z`);
    }
  }
  return { size: modules.size, path: parts.join('') };
}
