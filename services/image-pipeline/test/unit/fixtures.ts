import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

// Test images, made at test time in a temporary folder: real photographs from Debian's scikit-image
// data (python3-skimage), with EXIF written by an independent tool, exiftool (libimage-exiftool-perl).

export const SKIMAGE_DATA = '/usr/lib/python3/dist-packages/skimage/data';
/** A 600 x 400 photograph of a cup of coffee (landscape, so a wrong rotation shows). */
export const COFFEE = join(SKIMAGE_DATA, 'coffee.png');

export interface FixtureFolder {
  path(name: string): string;
  write(name: string, bytes: Uint8Array | string): string;
  remove(): void;
}

export function createFixtureFolder(): FixtureFolder {
  const root = mkdtempSync(join(tmpdir(), 'image-pipeline-'));
  return {
    path: (name) => join(root, name),
    write(name, bytes) {
      const file = join(root, name);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** `exiftool -overwrite_original <tags> file`: tags as exiftool arguments, e.g. '-Make=Canon'. */
export function writeExif(file: string, tags: readonly string[]): void {
  execFileSync('exiftool', ['-overwrite_original', ...tags, file], { stdio: 'pipe' });
}

/** What exiftool reads, as numbers where it can (-n): the reference our extraction must equal. */
export function readExif(file: string): Record<string, unknown> {
  const [tags] = JSON.parse(execFileSync('exiftool', ['-json', '-n', file]).toString('utf8')) as [
    Record<string, unknown>,
  ];
  return tags;
}

export const CAMERA_TAGS = [
  '-Make=Canon',
  '-Model=Canon EOS 5D Mark IV',
  '-DateTimeOriginal=2021:06:01 12:34:56',
  '-OffsetTimeOriginal=+10:00',
  '-ExposureTime=1/250',
  '-ISO=400',
  '-GPSLatitude=33.856784',
  '-GPSLatitudeRef=S',
  '-GPSLongitude=151.215297',
  '-GPSLongitudeRef=E',
] as const;

/** The coffee photograph as a JPEG with camera EXIF and GPS (Sydney Opera House). */
export async function cameraJpeg(
  folder: FixtureFolder,
  tags: readonly string[] = CAMERA_TAGS,
): Promise<string> {
  const file = folder.write('camera.jpg', await sharp(COFFEE).jpeg({ quality: 90 }).toBuffer());
  writeExif(file, tags);
  return file;
}

/**
 * The coffee photograph stored turned 90 degrees counter-clockwise, with EXIF Orientation 6 ("rotate
 * 90 CW to display"), as phones write portrait photos: displayed correctly, it is the upright photo.
 */
export async function orientation6Jpeg(folder: FixtureFolder): Promise<string> {
  const file = folder.write(
    'orientation-6.jpg',
    await sharp(COFFEE).rotate(-90).jpeg({ quality: 95 }).toBuffer(),
  );
  writeExif(file, ['-Orientation#=6']);
  return file;
}

/** The coffee photograph cut out in a circle: an RGBA PNG whose corners are transparent. */
export async function transparentPng(): Promise<Buffer> {
  const circle = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><circle cx="300" cy="200" r="190"/></svg>',
  );
  return sharp(COFFEE)
    .ensureAlpha()
    .composite([{ input: circle, blend: 'dest-in' }])
    .png()
    .toBuffer();
}

/** The first half of a JPEG: the header is intact, the pixel data ends early. */
export async function truncatedJpeg(folder: FixtureFolder): Promise<string> {
  const whole = readFileSync(await cameraJpeg(folder));
  return folder.write('truncated.jpg', whole.subarray(0, Math.floor(whole.length / 2)));
}

/**
 * A PNG whose header claims width x height pixels while its data is that of a 1 x 1 image: what a
 * "pixel flood" file looks like. The IHDR chunk is rewritten with its CRC recomputed.
 */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  // Signature (8 bytes), then IHDR: length (4), type (4), width (4), height (4), ..., CRC after 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** Random pixels as an uncompressed PNG: megabytes that no codec can shrink. */
export async function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** Mean absolute difference per channel (0-255) between two images of the same size, as RGB. */
export async function meanDifference(a: Uint8Array, b: Uint8Array): Promise<number> {
  const [left, right] = await Promise.all(
    [a, b].map((image) => sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true })),
  );
  if (left === undefined || right === undefined) throw new Error('no image');
  if (left.info.width !== right.info.width || left.info.height !== right.info.height) {
    throw new Error(
      `sizes differ: ${left.info.width}x${left.info.height} and ${right.info.width}x${right.info.height}`,
    );
  }
  let sum = 0;
  for (let index = 0; index < left.data.length; index += 1)
    sum += Math.abs((left.data[index] ?? 0) - (right.data[index] ?? 0));
  return sum / left.data.length;
}
