#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "internal.h"
#include "png_failure.h"

typedef struct {
    unsigned char *data;
    size_t size;
    size_t capacity;
} png_memory_writer;

static void write_to_memory(png_structp png, png_bytep source, size_t length) {
    png_memory_writer *writer = png_get_io_ptr(png);
    if (length > writer->capacity - writer->size) {
        size_t capacity = writer->capacity ? writer->capacity * 2 : 65536;
        while (capacity - writer->size < length) capacity *= 2;
        unsigned char *grown = realloc(writer->data, capacity);
        if (!grown) png_error(png, "out of memory for the PNG output");
        writer->data = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->data + writer->size, source, length);
    writer->size += length;
}

static void flush_nothing(png_structp png) {
    (void)png;
}

cimageio_status cimageio_encode_png(const unsigned char *rgb, int width, int height,
                                    unsigned char **out_data, size_t *out_size,
                                    char message[CIMAGEIO_MESSAGE_CAPACITY]) {
    cimageio_png_failure failure = {.message = message};
    png_memory_writer writer = {NULL, 0, 0};
    message[0] = '\0';
    *out_data = NULL;
    *out_size = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, cimageio_png_fail, cimageio_png_ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        cimageio_set_message(message, "out of memory for the PNG encoder");
        return CIMAGEIO_OUT_OF_MEMORY;
    }
    if (setjmp(failure.jump)) {
        png_destroy_write_struct(&png, &info);
        free(writer.data);
        return CIMAGEIO_LIBRARY_ERROR;
    }
    png_set_write_fn(png, &writer, write_to_memory, flush_nothing);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) png_write_row(png, rgb + (size_t)width * 3 * (size_t)y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out_data = writer.data;
    *out_size = writer.size;
    return CIMAGEIO_OK;
}
