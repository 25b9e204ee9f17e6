/* Helpers shared by the CImageIO source files (not part of the public header). */
#ifndef CIMAGEIO_INTERNAL_H
#define CIMAGEIO_INTERNAL_H

#include "CImageIO.h"

/* Clears an image result so every failure path leaves it in a known state. */
void cimageio_reset_image(cimageio_image *out);

/* The pixel buffer for width * height RGB pixels: the caller's destination when it is large enough, else
 * malloc'd; NULL (and a message written) when neither works. */
unsigned char *cimageio_pixel_buffer(cimageio_image *out, unsigned width, unsigned height);

/* Frees out->pixels unless it is the caller's destination, and clears it. */
void cimageio_release_pixels(cimageio_image *out);

/* True (and a message written) when width * height is over max_pixels. */
int cimageio_exceeds_limit(cimageio_image *out, long long width, long long height, long long max_pixels);

/* Writes a printf-style message into a CIMAGEIO_MESSAGE_CAPACITY buffer. */
void cimageio_set_message(char *message, const char *format, ...);

/* EXIF orientation (1...8) from an APP1 payload starting with "Exif\0\0"; 1 when absent or malformed. */
int cimageio_exif_orientation(const unsigned char *payload, size_t length);

#endif
