/* libpng error handling shared by the PNG decoder and encoder (internal). */
#ifndef CIMAGEIO_PNG_FAILURE_H
#define CIMAGEIO_PNG_FAILURE_H

#include <setjmp.h>
#include <png.h>

/* Error-handler state: libpng errors jump back to the public call with libpng's message. */
typedef struct {
    jmp_buf jump;
    char *message;
} cimageio_png_failure;

/* libpng error callback: copies the message and longjmps to failure->jump. */
void cimageio_png_fail(png_structp png, png_const_charp text);

/* libpng warnings (unknown chunks, odd ICC profiles, bad ancillary CRCs) do not change pixels: ignored,
 * as OpenCV does. */
void cimageio_png_ignore_warning(png_structp png, png_const_charp text);

#endif
