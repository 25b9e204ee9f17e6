#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

void cimageio_free(void *pointer) {
    free(pointer);
}

void cimageio_reset_image(cimageio_image *out) {
    out->width = 0;
    out->height = 0;
    out->exif_orientation = 1;
    out->pixels = NULL;
    out->message[0] = '\0';
}

void cimageio_set_message(char *message, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, CIMAGEIO_MESSAGE_CAPACITY, format, arguments);
    va_end(arguments);
}

unsigned char *cimageio_pixel_buffer(cimageio_image *out, unsigned width, unsigned height) {
    size_t needed = (size_t)width * height * 3;
    if (out->destination) {
        if (out->destination_size >= needed) return out->destination;
        cimageio_set_message(out->message, "the destination holds %zu bytes, %ux%u pixels need %zu", out->destination_size, width, height, needed);
        return NULL;
    }
    unsigned char *pixels = malloc(needed);
    if (!pixels) cimageio_set_message(out->message, "out of memory for %ux%u pixels", width, height);
    return pixels;
}

void cimageio_release_pixels(cimageio_image *out) {
    if (out->pixels != out->destination) free(out->pixels);
    out->pixels = NULL;
}

int cimageio_exceeds_limit(cimageio_image *out, long long width, long long height, long long max_pixels) {
    out->width = (int)width;
    out->height = (int)height;
    if (width * height <= max_pixels) return 0;
    cimageio_set_message(out->message, "%lldx%lld pixels is over the limit of %lld pixels", width, height, max_pixels);
    return 1;
}
