#!/usr/bin/env python3
"""check_png.py PNG WIDTH HEIGHT [RRGGBB...]

Decodes a PNG (8-bit RGB or RGBA, not interlaced: what Chromium writes) with
the standard library only, and fails unless it is WIDTH x HEIGHT, is not one
flat colour, and shows each colour given (within a small tolerance, on at
least 20 pixels): the proof that the picture was drawn, not just a blank page.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit(f'{path}: not a PNG')
    pos, idat = 8, b''
    width = height = None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit(f'{path}: unexpected PNG layout (depth {depth}, colour {colour})')
            channels = 3 if colour == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        previous = line
    pixels = [tuple(row[x * channels:x * channels + 3]) for row in rows for x in range(width)]
    return width, height, pixels


def main():
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    got_width, got_height, pixels = decode(path)
    if (got_width, got_height) != (width, height):
        sys.exit(f'{path}: {got_width}x{got_height}, expected {width}x{height}')
    counts = {}
    for p in pixels:
        counts[p] = counts.get(p, 0) + 1
    if len(counts) < 20:
        sys.exit(f'{path}: only {len(counts)} colours: the picture is blank')
    print(f'{path}: {width}x{height}, {len(counts)} colours')
    for wanted in sys.argv[4:]:
        rgb = tuple(int(wanted[i:i + 2], 16) for i in (0, 2, 4))
        near = sum(n for p, n in counts.items() if max(abs(a - b) for a, b in zip(p, rgb)) <= 10)
        print(f'  #{wanted}: {near} pixels')
        if near < 20:
            sys.exit(f'{path}: colour #{wanted} is not in the picture')


main()
