#include <setjmp.h>
#include <png.h>
#include "internal.h"
#include "png_failure.h"

void cimageio_png_fail(png_structp png, png_const_charp text) {
    cimageio_png_failure *failure = png_get_error_ptr(png);
    cimageio_set_message(failure->message, "%s", text);
    longjmp(failure->jump, 1);
}

void cimageio_png_ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}
