#include <stdlib.h>
#include "internal.h"
#include "jpeg_failure.h"

cimageio_status cimageio_encode_jpeg(const unsigned char *rgb, int width, int height, int quality,
                                     unsigned char **out_data, size_t *out_size,
                                     char message[CIMAGEIO_MESSAGE_CAPACITY]) {
    struct jpeg_compress_struct cinfo;
    cimageio_jpeg_failure failure;
    unsigned char *buffer = NULL;
    unsigned long length = 0;
    message[0] = '\0';
    *out_data = NULL;
    *out_size = 0;
    cinfo.err = jpeg_std_error(&failure.base);
    failure.base.error_exit = cimageio_jpeg_fail;
    failure.message = message;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return CIMAGEIO_LIBRARY_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &length);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * (size_t)width * 3);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out_data = buffer;
    *out_size = (size_t)length;
    return CIMAGEIO_OK;
}
