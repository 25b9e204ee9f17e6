#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "internal.h"
#include "png_failure.h"

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
} png_memory_reader;

static void read_from_memory(png_structp png, png_bytep destination, size_t length) {
    png_memory_reader *reader = png_get_io_ptr(png);
    if (length > reader->size - reader->offset) png_error(png, "Read Error");
    memcpy(destination, reader->data + reader->offset, length);
    reader->offset += length;
}

cimageio_status cimageio_decode_png(const unsigned char *data, size_t size, long long max_pixels,
                                    cimageio_image *out) {
    cimageio_png_failure failure = {.message = out->message};
    png_memory_reader reader = {.data = data, .size = size, .offset = 0};
    png_bytep *volatile rows = NULL;
    cimageio_reset_image(out);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, cimageio_png_fail, cimageio_png_ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        cimageio_set_message(out->message, "out of memory for the PNG decoder");
        return CIMAGEIO_OUT_OF_MEMORY;
    }
    if (setjmp(failure.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        cimageio_release_pixels(out);
        return CIMAGEIO_LIBRARY_ERROR;
    }
    png_set_read_fn(png, &reader, read_from_memory);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if (cimageio_exceeds_limit(out, width, height, max_pixels)) {
        png_destroy_read_struct(&png, &info, NULL);
        return CIMAGEIO_TOO_LARGE;
    }

    /* OpenCV IMREAD_COLOR: high byte of 16-bit samples, alpha dropped (not composited), palette and grey
     * expanded to RGB, interlacing undone. No gamma correction. */
    int color_type = png_get_color_type(png, info), bit_depth = png_get_bit_depth(png, info);
    if (bit_depth == 16) png_set_strip_16(png);
    png_set_strip_alpha(png);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0) {
        if (bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        png_set_gray_to_rgb(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t stride = (size_t)width * 3;
    if (png_get_rowbytes(png, info) != stride) png_error(png, "PNG did not convert to 8-bit RGB");

    out->pixels = cimageio_pixel_buffer(out, width, height);
    rows = out->pixels ? malloc(sizeof(png_bytep) * height) : NULL;
    if (!out->pixels || !rows) {
        png_destroy_read_struct(&png, &info, NULL);
        if (out->pixels) cimageio_set_message(out->message, "out of memory for %ux%u pixels", width, height);
        free(rows);
        cimageio_release_pixels(out);
        return CIMAGEIO_OUT_OF_MEMORY;
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = out->pixels + stride * y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return CIMAGEIO_OK;
}
