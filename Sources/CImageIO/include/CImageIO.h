/* CImageIO: a small C shim over libjpeg-turbo and libpng for the Imaging target.
 *
 * All setjmp/longjmp error handling of the two libraries stays in the .c files; callers see plain
 * status codes and a message buffer. Decoders check the header's dimensions against a pixel limit
 * before any pixel memory is allocated. */
#ifndef CIMAGEIO_H
#define CIMAGEIO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of a decode or encode call. */
typedef enum {
    CIMAGEIO_OK = 0,
    /* The header declares width * height above max_pixels; width and height are set, nothing allocated. */
    CIMAGEIO_TOO_LARGE = 1,
    /* The library rejected the data (or, for JPEG, warned about it) or failed to encode; message holds its text. */
    CIMAGEIO_LIBRARY_ERROR = 2,
    /* malloc failed; message says for what. */
    CIMAGEIO_OUT_OF_MEMORY = 3,
} cimageio_status;

enum { CIMAGEIO_MESSAGE_CAPACITY = 256 };

/* A decoded image: 8-bit RGB, rows top to bottom, no padding, as the file stores it (no rotation).
 * When the caller sets destination (destination_size >= width * height * 3), the pixels are decoded into it and
 * pixels points there (never freed here); otherwise pixels is malloc'd on CIMAGEIO_OK and must be released with
 * cimageio_free. A call with max_pixels 0 reads only the header: CIMAGEIO_TOO_LARGE with width and height set. */
typedef struct {
    int width;
    int height;
    /* EXIF orientation 1...8 from a JPEG's APP1 "Exif" marker; 1 when absent or invalid (and for PNG). */
    int exif_orientation;
    unsigned char *pixels;
    /* Optional caller-owned buffer for the pixels (so a caller can decode straight into its own array). */
    unsigned char *destination;
    size_t destination_size;
    /* JPEG only: when > 0, decode at the smallest DCT scale (1/2, 1/4 or 1/8; libjpeg-turbo's scaled IDCT) whose
     * long side is still at least this many pixels, and report the scaled width and height; 0: full size. */
    int minimum_long_side;
    char message[CIMAGEIO_MESSAGE_CAPACITY];
} cimageio_image;

/* Decodes a JPEG (baseline, progressive, greyscale, CMYK/YCCK) to RGB the way OpenCV's
 * imread(IMREAD_COLOR) does. libjpeg warnings such as "Premature end of JPEG file" are failures. */
cimageio_status cimageio_decode_jpeg(const unsigned char *data, size_t size, long long max_pixels,
                                     cimageio_image *out);

/* The DCT scale denominator (1, 2, 4 or 8) a JPEG of width x height is decoded at for minimum_long_side, and
 * the decoded size: ceil(width / denominator) x ceil(height / denominator). */
int cimageio_jpeg_scale_denominator(int width, int height, int minimum_long_side);

/* Decodes a PNG (any bit depth and colour type, interlaced or not) to 8-bit RGB the way OpenCV's
 * imread(IMREAD_COLOR) does: 16-bit keeps the high byte, alpha is dropped, palette expanded, grey replicated. */
cimageio_status cimageio_decode_png(const unsigned char *data, size_t size, long long max_pixels,
                                    cimageio_image *out);

/* Encodes 8-bit RGB (width * height * 3 bytes) as a non-interlaced PNG with default compression.
 * On CIMAGEIO_OK *out_data is malloc'd (*out_size bytes) and must be released with cimageio_free. */
cimageio_status cimageio_encode_png(const unsigned char *rgb, int width, int height,
                                    unsigned char **out_data, size_t *out_size,
                                    char message[CIMAGEIO_MESSAGE_CAPACITY]);

/* Encodes 8-bit RGB as a baseline JPEG at quality 1...100 (libjpeg's scale), for processing-shift augmentation
 * and probes. On CIMAGEIO_OK *out_data is malloc'd (*out_size bytes) and must be released with cimageio_free. */
cimageio_status cimageio_encode_jpeg(const unsigned char *rgb, int width, int height, int quality,
                                     unsigned char **out_data, size_t *out_size,
                                     char message[CIMAGEIO_MESSAGE_CAPACITY]);

/* Releases memory returned by this library. */
void cimageio_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
