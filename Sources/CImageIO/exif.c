#include <string.h>
#include "internal.h"

/* Reads a 16- or 32-bit TIFF integer in the byte order the TIFF header declared. */
static unsigned read_u16(const unsigned char *p, int little_endian) {
    return little_endian ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
}

static unsigned long read_u32(const unsigned char *p, int little_endian) {
    return little_endian
        ? (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24
        : (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | (unsigned long)p[3];
}

int cimageio_exif_orientation(const unsigned char *payload, size_t length) {
    static const unsigned char exif_signature[6] = {'E', 'x', 'i', 'f', 0, 0};
    const unsigned orientation_tag = 0x0112, short_type = 3;
    if (length < sizeof exif_signature + 8 || memcmp(payload, exif_signature, sizeof exif_signature) != 0) return 1;
    const unsigned char *tiff = payload + sizeof exif_signature;
    size_t tiff_length = length - sizeof exif_signature;

    int little_endian;
    if (tiff[0] == 'I' && tiff[1] == 'I') little_endian = 1;
    else if (tiff[0] == 'M' && tiff[1] == 'M') little_endian = 0;
    else return 1;
    if (read_u16(tiff + 2, little_endian) != 42) return 1;

    unsigned long ifd = read_u32(tiff + 4, little_endian);
    if (ifd > tiff_length || tiff_length - ifd < 2) return 1;
    unsigned count = read_u16(tiff + ifd, little_endian);
    for (unsigned i = 0; i < count; i++) {
        size_t entry = ifd + 2 + (size_t)i * 12;
        if (entry + 12 > tiff_length) return 1;
        if (read_u16(tiff + entry, little_endian) != orientation_tag) continue;
        if (read_u16(tiff + entry + 2, little_endian) != short_type) return 1;
        unsigned value = read_u16(tiff + entry + 8, little_endian);
        return value >= 1 && value <= 8 ? (int)value : 1;
    }
    return 1;
}
