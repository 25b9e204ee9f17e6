#!/usr/bin/env python3
"""Builds the small ImagingTests fixtures from one Kermany chest X-ray (CC BY 4.0, see README.md).

Run from this folder:  python3 make_fixtures.py /path/to/shared/data/train/normal/IM-0117-0001.jpeg
Needs Pillow and numpy. PNGs are written by hand (zlib) so every colour type, bit depth and Adam7
interlacing is covered exactly; JPEGs are written by Pillow, and each JPEG's expected pixels are Pillow's
own decode, stored raw (*.rgb: width*height*3 bytes, R G B, rows top to bottom).
"""
import io
import struct
import sys
import zlib

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 64, 48          # not square, so swapped axes are caught
MARKER = 8                      # red square in the top-left corner of the upright image


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def adam7_passes(height, width):
    starts = [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)]
    return [(slice(y0, height, dy), slice(x0, width, dx)) for y0, x0, dy, dx in starts]


def png(samples, color_type, bit_depth, palette=None, trns=None, interlace=False):
    """samples: uint8/uint16 array [H, W, channels] (or [H, W] for grey/palette)."""
    samples = samples if samples.ndim == 3 else samples[:, :, None]
    height, width = samples.shape[:2]
    dtype = ">u2" if bit_depth == 16 else "u1"

    def scanlines(part):
        return b"".join(b"\x00" + row.astype(dtype).tobytes() for row in part)

    if interlace:
        raw = b"".join(scanlines(samples[rows, cols]) for rows, cols in adam7_passes(height, width)
                       if samples[rows, cols].size)
    else:
        raw = scanlines(samples)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        out += chunk(b"PLTE", palette.astype("u1").tobytes())
    if trns is not None:
        out += chunk(b"tRNS", bytes(trns))
    out += chunk(b"IDAT", zlib.compress(raw, 9))
    return out + chunk(b"IEND", b"")


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)
    assert len(data) < 20_000, f"{name} is {len(data)} bytes"


def exif_orientation_big_endian(value):
    """A minimal APP1 payload: TIFF header "MM", IFD0 with one SHORT entry 0x0112."""
    ifd = struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, value, 0) + struct.pack(">I", 0)
    return b"Exif\x00\x00" + b"MM\x00\x2a" + struct.pack(">I", 8) + ifd


def pillow_decode(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def main(source_path):
    grey = np.asarray(Image.open(source_path).convert("L").resize((WIDTH, HEIGHT), Image.LANCZOS)).astype(np.uint8)
    # A colour picture derived from the X-ray, so channel order mistakes show up.
    rgb = np.stack([grey, (grey.astype(int) * 3 // 4).astype(np.uint8), 255 - grey], axis=2)
    rgb[:MARKER, :MARKER] = (255, 0, 0)
    rng = np.random.default_rng(2020)
    alpha = rng.integers(0, 256, size=(HEIGHT, WIDTH), dtype=np.uint8)
    low_bytes = rng.integers(0, 256, size=(HEIGHT, WIDTH, 3), dtype=np.uint16)

    write("reference_rgb8.rgb", rgb.tobytes())
    write("reference_grey8.gray", grey.tobytes())

    # PNG: expected pixels are exact (reference_rgb8.rgb, reference_grey8.gray replicated, palette.rgb).
    write("png_grey8.png", png(grey, 0, 8))
    write("png_grey16.png", png(grey.astype(np.uint16) << 8 | low_bytes[:, :, 0], 0, 16))
    write("png_grey_alpha.png", png(np.stack([grey, alpha], axis=2), 4, 8))
    write("png_rgb8.png", png(rgb, 2, 8))
    write("png_rgb16.png", png(rgb.astype(np.uint16) << 8 | low_bytes, 2, 16))
    write("png_rgba.png", png(np.dstack([rgb, alpha]), 6, 8))
    write("png_interlaced.png", png(rgb, 2, 8, interlace=True))
    quantised = Image.fromarray(rgb).quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    indices = np.asarray(quantised)
    palette = np.array(quantised.getpalette()[:64 * 3], dtype=np.uint8).reshape(-1, 3)
    write("png_palette.png", png(indices, 3, 8, palette=palette))
    write("png_palette_trns.png", png(indices, 3, 8, palette=palette, trns=[0, 64, 128, 255] * 4))
    write("palette.rgb", palette[indices].tobytes())
    # A header declaring 100000 x 100000 pixels (with a token IDAT): must be refused before allocating.
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
    write("png_huge_dimensions.png", huge + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))

    # JPEG: expected pixels are Pillow's decode of the same bytes.
    def jpeg(name, image, **options):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90, **options)
        data = buffer.getvalue()
        write(name, data)
        return data

    upright = Image.fromarray(rgb)
    write("jpeg_baseline.rgb", pillow_decode(jpeg("jpeg_baseline.jpg", upright)).tobytes())
    write("jpeg_grey.rgb", pillow_decode(jpeg("jpeg_grey.jpg", Image.fromarray(grey))).tobytes())
    write("jpeg_progressive.rgb", pillow_decode(jpeg("jpeg_progressive.jpg", upright, progressive=True)).tobytes())
    # Pillow writes CMYK JPEGs Adobe-style (inverted samples, APP14 "Adobe"). The expected RGB uses OpenCV's
    # CMYK->RGB formula on libjpeg's (inverted) samples: k - ((255 - c) * k >> 8).
    cmyk_data = jpeg("jpeg_cmyk.jpg", upright.convert("CMYK"))
    inverted = 255 - np.asarray(Image.open(io.BytesIO(cmyk_data))).astype(np.int32)
    k = inverted[:, :, 3:4]
    write("jpeg_cmyk.rgb", (k - ((255 - inverted[:, :, :3]) * k >> 8)).astype(np.uint8).tobytes())
    # EXIF orientation 6 (little-endian EXIF by Pillow): stored turned 90 degrees counter-clockwise,
    # a viewer turns it clockwise. Orientation 3 (big-endian EXIF by hand): stored upside down.
    exif = Image.Exif()
    exif[0x0112] = 6
    jpeg("jpeg_exif_orientation6.jpg", upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())
    jpeg("jpeg_exif_orientation3.jpg", upright.transpose(Image.Transpose.ROTATE_180),
         exif=exif_orientation_big_endian(3))


if __name__ == "__main__":
    main(sys.argv[1])
